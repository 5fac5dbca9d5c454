"""Templates render the way a slow reader needs them: one idea per line, nothing glued."""

from __future__ import annotations

from datetime import date, datetime

from bot.materials.texts import Texts


def test_lines_that_end_in_a_condition_keep_their_line_break() -> None:
    texts = Texts()
    card = texts.render("session/card", "en", name="Ann", number=1, count=5, title="Shrugs",
                        instructions="Sit tall.", reps=10, sets=2, hold=None, items="chair",
                        safety="Go gently.", chosen=None, reminder="Stop if it hurts.")
    assert "🎯 <b>2 × 10</b>\n🧰 chair\n⚠️ Go gently." in card
    plan = texts.render("plan/today", "en", name="Ann", minutes=15, total_reps=10, excluded=[],
                        safety="Stop if it hurts.",
                        items=[{"title": "Lift", "reps": 8, "sets": 1, "hold_seconds": 5}])
    assert "1. <b>Lift</b> — 8 (hold 5 s)\n\nAbout" in plan
    week = {"week_start": date(2026, 11, 23), "week_end": date(2026, 11, 29), "sessions": 4,
            "planned": 7, "reps": 320, "reps_last_week": 250, "active_days": 5, "trend": None,
            "streak": 0, "milestones": [], "cheers": 0, "so_far": False, "best_run": 0}
    digest = texts.render("digest/weekly", "en", name="Ben", patient="Ann", own=False,
                          group=False, stage_name="elbow", goal=None, d=week)
    assert "<b>5 of 7</b>\n💪 Moves" in digest and "planned" not in digest
    paused = texts.render("remind/paused", "en", name="Ann", forever=False,
                          until=datetime(2026, 11, 27, 9, 5), within_week=True)
    assert "until <b>Friday 09:05</b>. 🛌\n\nTake care" in paused


def test_a_language_we_lack_falls_back_to_english_per_template() -> None:
    texts = Texts()
    assert texts.language("pt-BR") == "en"
    assert texts.render("errors/unexpected", texts.language("pt-BR")).startswith("Sorry")


def test_lessons_name_the_affected_side_when_it_is_known() -> None:
    texts = Texts()
    left = texts.render("lessons/dont_forget_the_arm", "en", name="Ann", side="left")
    assert "Keep your left arm where you can see it." in left
    unknown = texts.render("lessons/dont_forget_the_arm", "en", name="Ann", side="unsure")
    assert "Keep your affected arm where you can see it." in unknown
    assert "your affected arm" in texts.render("lessons/dont_forget_the_arm", "en", name="Ann")
