"""`rehab-buddy sandbox` as someone without a token would use it, in a real process."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.test_cli import COMMAND, clean_env


def sandbox(tmp_path: Path, lines: list[str], *args: str) -> str:
    result = subprocess.run(
        [*COMMAND, "sandbox", "--database", str(tmp_path / "sb.sqlite3"), *args],
        input="\n".join(lines) + "\n", cwd=tmp_path, env=clean_env(), capture_output=True,
        text=True, timeout=90,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def test_chat_press_switch_people_and_move_the_clock(tmp_path: Path) -> None:
    out = sandbox(tmp_path, ["/start", "#1", ":as Sam", "/start", "#2", ":people",
                             ":clock +2h", ":time", "#9", ":clock yesterday", ":quit"])
    assert "── Rehab Buddy → Pat" in out
    assert "Hello, Pat!" in out
    assert "[1] 💪 I am practising   [2] ❤️ I am family" in out
    assert "You are practising." in out
    assert "(you are now Sam)" in out
    assert "Hello, Sam!" in out
    assert "invite link" in out
    assert "→ Sam (en)" in out
    assert "(no button 9 here)" in out
    assert "(usage: :clock" in out
    assert out.rstrip().endswith("(bye)")


def test_the_sandbox_remembers_people_and_time_between_runs(tmp_path: Path) -> None:
    sandbox(tmp_path, ["/start", "#1", ":clock +3d", ":quit"])
    out = sandbox(tmp_path, [":time", ":quit"])
    assert (tmp_path / "sb.sqlite3").exists()
    saved = datetime.fromisoformat((tmp_path / "sb.sqlite3.clock").read_text())
    assert saved >= datetime.now(UTC) + timedelta(days=2, hours=23)
    assert f"(sandbox clock: {saved:%A %d %B %Y %H:%M} UTC)" in out
    fresh = sandbox(tmp_path, [":quit"], "--fresh")
    assert "Rehab Buddy sandbox" in fresh
    assert not (tmp_path / "sb.sqlite3.clock").exists()


def test_end_of_input_leaves_quietly(tmp_path: Path) -> None:
    out = sandbox(tmp_path, ["/help"])
    assert "/start — " in out
    assert out.rstrip().endswith("(bye)")


def test_a_new_patient_reaches_a_finished_session_by_numbers_alone(tmp_path: Path) -> None:
    taps = ["/start", "#1", "#1", "#1", "#1", "#1", "#3",  # practising … a "no" at the wrist
            "#1", "#1", "#4",  # London, morning 09:00, done
            "#1", "#1", "#2", "#1", "#1",  # the entry check: yes, yes, no, yes, yes
            "#1"]  # start now
    taps += ["#1", "#3"] * 11  # done at the target, felt OK; until the session closes
    out = sandbox(tmp_path, [*taps, "/progress", ":clock +1d", ":quit"])
    assert "Your plan for today" in out
    assert "Session closed:" in out
    assert re.search(r"Today: \d+ moves in \d+ exercises", out)
    assert "Your progress" in out and "[picture:" in out
    assert "💤 15 min" in out  # the next morning's prompt went out as the clock moved


def test_a_database_path_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder")
    result = subprocess.run(
        [*COMMAND, "sandbox", "--database", str(tmp_path / "afile" / "sb.sqlite3")],
        input=":quit\n", cwd=tmp_path, env=clean_env(), capture_output=True, text=True,
        timeout=60)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_the_sandbox_shows_what_telegram_shows(tmp_path: Path) -> None:
    """Toasts are printed, pictures are saved to files, old messages' buttons can be pressed,
    and people added with :new are still there (with their reminders) after a restart."""
    onboarding = ["/start", "#1", "#1", "#1", "#1", "#1", "#3", "#1", "#1", "#4",
                  "#1", "#1", "#2", "#1", "#1"]
    out = sandbox(tmp_path, [":new Maria", *onboarding, "#1", "#1", "#3",
                             "/remind", "/help",
                             "#2.3",  # button 3 of the second-newest message: "Add a reminder"
                             "#1.9",  # the newest message has no ninth button
                             "/progress", ":quit"])
    assert "💬 Saved ✓" in out  # the toast Telegram shows over the chat after a check-in
    assert "Pick a time" in out
    assert "(no button 9 on message 1)" in out
    saved = re.search(r"\[picture: \d+×\d+ PNG, saved to (\S+\.png)\]", out)
    assert saved, out[-2000:]
    assert Path(saved.group(1)).read_bytes()[:4] == b"\x89PNG"
    again = sandbox(tmp_path, [":people", ":clock +1d", ":quit"])
    assert "Maria (en)" in again
    assert "Chat not found" not in again
    assert "── Rehab Buddy → Maria" in again  # her morning prompt reached her


def test_people_in_chinese_and_spanish_get_the_journey_in_their_language(
        tmp_path: Path) -> None:
    """:new Li zh-hans and :new Maria es: the welcome, the set-up and a session, each in
    their own words, chosen by number alone."""
    taps = ["/start", "#1", "#1", "#1", "#1", "#1", "#3",  # practising … a "no" at the wrist
            "#1", "#1", "#4",  # the first city, morning 09:00, done
            "#1", "#1", "#2", "#1", "#1",  # the entry check
            "#1", "#1", "#3"]  # start now, done, felt OK
    out = sandbox(tmp_path, [":new Li zh-hans", *taps, ":new Maria es", *taps, ":quit"])
    assert "您好，Li！" in out and "[1] 💪 我在练习" in out
    assert "您今天的计划" in out and "感觉怎么样？" in out
    assert "¡Hola, Maria!" in out and "[1] 💪 Estoy practicando" in out
    assert "Su plan de hoy" in out and "¿Cómo se sintió?" in out
    assert "Hello," not in out  # nobody was greeted in English


def test_each_cards_picture_is_saved_and_said_once(tmp_path: Path) -> None:
    """A session in the sandbox: every exercise's picture is saved to a file and its path
    printed, once each, however often its words change."""
    taps = ["/start", "#1", "#1", "#1", "#1", "#1", "#3", "#1", "#1", "#4",
            "#1", "#1", "#2", "#1", "#1", "#1"]  # set up, the entry check, start now
    taps += ["#1", "#3"] * 3  # three exercises done
    out = sandbox(tmp_path, [*taps, ":quit"])
    saved = re.findall(r"\[picture: 720×540 PNG, saved to (\S+\.png)\]", out)
    assert len(saved) == 4  # the first three cards and the fourth, each once
    assert len(set(saved)) == 4 and all(Path(p).read_bytes()[:4] == b"\x89PNG" for p in saved)
    assert "1 of " in out and "4 of " in out
