"""The shipped content: the exercise catalogue, the lesson index and the lesson and safety
templates. What the rules assume of the data (enough exercises and slots per stage, links that
resolve, safe and plain instructions) is checked here against the real files, and a broken file
must fail with a message that names the file, the entry and the field."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any, get_args

import jinja2
import pytest
import yaml

from bot.emulator.html import parse
from bot.materials.catalogue import CONTENT_DIR, ContentError, load_exercises, load_lessons
from bot.materials.content_check import writing_problems
from bot.materials.texts import Texts
from bot.rules.exercises import Exercise, Kind, Stage
from bot.rules.plan import (
    FUNCTIONAL_TASKS,
    LIMB_STAGES,
    MIN_MAIN,
    SESSION_MINUTES,
    Variants,
    build_plan,
)

CATALOGUE = load_exercises()
LESSONS = load_lessons()
LOCALE = CONTENT_DIR / "locales" / "en"
MOTOR_STAGES = [stage.key for stage in Stage]
KINDS: tuple[str, ...] = get_args(Kind)
ALLOWED_TAGS = {"b", "i", "u", "s", "code", "blockquote"}
LESSON_LIMIT = 600
DISCLAIMER_LIMIT = 500
REQUIRED_LESSONS = {
    "proximal_to_distal",
    "gross_to_fine",
    "repetition_rewires",
    "home_practice",
    "patience_and_hope",
    "family_role",
    "setting_goals",
    "small_improvements",
    "daily_life_use",
    "shoulder_care",
    "fatigue_and_rest",
    "when_to_call",
}
FORBIDDEN_EQUIPMENT = re.compile(
    r"pulley|overhead|dumbbell|barbell|kettlebell|\bweights\b|\bkg\b|resistance band|theraband",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")  # as bot.materials.catalogue counts them
TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")
ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#[0-9]+|#x[0-9a-fA-F]+);")


def text_of(exercise: Exercise) -> str:
    """Everything a reader sees of an exercise."""
    return " ".join([exercise.title, exercise.instructions, exercise.safety, *exercise.items])


def sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


def plain(rendered: str) -> str:
    """What a reader sees: tags stripped, entities unescaped."""
    return html.unescape(TAG.sub("", rendered)).strip()


# --- the exercise catalogue -------------------------------------------------------------------


def test_the_shipped_catalogue_loads() -> None:
    assert len(CATALOGUE) >= 36
    assert all(isinstance(exercise, Exercise) for exercise in CATALOGUE.values())
    assert all(key == exercise.id for key, exercise in CATALOGUE.items())


@pytest.mark.parametrize("stage", MOTOR_STAGES)
def test_each_motor_stage_has_at_least_five_exercises(stage: str) -> None:
    assert sum(1 for e in CATALOGUE.values() if e.stage == stage) >= 5


def test_there_are_at_least_eight_functional_tasks_at_several_levels() -> None:
    functional = [e for e in CATALOGUE.values() if e.functional]
    assert len(functional) >= 8
    assert all(e.level in MOTOR_STAGES for e in functional)
    assert {e.level for e in functional} == set(MOTOR_STAGES)  # a task for every stage


def test_functional_tasks_cover_everyday_activities() -> None:
    titles = " ".join(e.title.lower() for e in CATALOGUE.values() if e.functional)
    for activity in ("cup", "table", "towel", "button", "key", "fork", "jar", "coin", "page"):
        assert activity in titles, activity


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_appears_several_times(kind: str) -> None:
    assert Counter(e.kind for e in CATALOGUE.values())[kind] >= 3


def test_motor_is_fine_exactly_for_the_fine_hand_stage() -> None:
    for exercise in CATALOGUE.values():
        expected = "fine" if exercise.motor_stage == Stage.HAND_FINE else "gross"
        assert exercise.motor == expected, exercise.id


def test_every_easier_and_harder_link_resolves() -> None:
    for exercise in CATALOGUE.values():
        for target in (exercise.easier, exercise.harder):
            if target is not None:
                assert target in CATALOGUE, (exercise.id, target)
                assert target != exercise.id, exercise.id


def test_links_agree_from_both_ends() -> None:
    for exercise in CATALOGUE.values():
        if exercise.harder is not None:
            assert CATALOGUE[exercise.harder].easier in (None, exercise.id), exercise.id
        if exercise.easier is not None:
            assert CATALOGUE[exercise.easier].harder in (None, exercise.id), exercise.id


def test_harder_never_loops_and_never_goes_back_a_stage() -> None:
    for start in CATALOGUE.values():
        seen = {start.id}
        current = start
        while current.harder is not None:
            nxt = CATALOGUE[current.harder]
            assert nxt.id not in seen, f"a loop through {nxt.id}"
            assert nxt.functional == current.functional, (current.id, nxt.id)
            step = nxt.motor_stage - current.motor_stage
            assert step in (0, 1), (current.id, nxt.id)  # same stage, or on to the next one
            seen.add(nxt.id)
            current = nxt


def test_most_exercises_have_a_variant_and_there_are_real_chains() -> None:
    linked = [e for e in CATALOGUE.values() if e.easier or e.harder]
    assert len(linked) * 3 >= len(CATALOGUE) * 2
    three_long = [e for e in CATALOGUE.values() if e.harder and CATALOGUE[e.harder].harder]
    assert len(three_long) >= 5


def test_an_assisted_exercise_is_never_harder_than_an_unassisted_one() -> None:
    for exercise in CATALOGUE.values():
        if exercise.assist != "none" and exercise.easier is not None:
            assert CATALOGUE[exercise.easier].assist != "none", exercise.id


def test_early_stages_offer_assisted_exercises() -> None:
    for stage in ("shoulder", "elbow", "wrist", "hand_gross"):
        assisted = [e for e in CATALOGUE.values() if e.stage == stage and e.assist != "none"]
        assert assisted, stage
        # the easiest variant of each assisted family is itself assisted
        assert all(e.easier is None or CATALOGUE[e.easier].assist != "none" for e in assisted)
    assert any(e.assist == "helper" for e in CATALOGUE.values())


@pytest.mark.parametrize("stage", list(Stage), ids=lambda s: s.key)
def test_each_stage_fills_a_days_plan(stage: Stage) -> None:
    variants = Variants(CATALOGUE)
    assert len(variants.slots(stage)) >= 4
    assert variants.slots(stage, functional=True)
    for offset in range(7):
        plan = build_plan(stage=stage, catalogue=CATALOGUE, doses={}, excluded=frozenset(),
                          day=date(2026, 11, 23) + timedelta(days=offset))
        assert len(plan.role("main")) >= MIN_MAIN
        assert all(CATALOGUE[i.exercise_id].stage == stage.key for i in plan.role("main"))
        assert len(plan.role("functional")) == FUNCTIONAL_TASKS  # at least two daily-life tasks
        others = [s for s in LIMB_STAGES if s != stage]
        assert len(plan.role("upkeep")) + len(plan.role("ahead")) == len(others)
        regions = {r for i in plan.items for r in CATALOGUE[i.exercise_id].regions}
        assert regions == {"shoulder", "elbow", "wrist", "hand"}  # the whole limb, every day
        assert SESSION_MINUTES[0] <= plan.minutes <= SESSION_MINUTES[1]


def test_no_shoulder_exercise_mentions_a_pulley() -> None:
    shoulder = [e for e in CATALOGUE.values() if e.motor_stage == Stage.SHOULDER]
    assert shoulder
    for exercise in shoulder:
        assert "pulley" not in text_of(exercise).lower(), exercise.id


def test_no_exercise_needs_gym_equipment_or_goes_overhead() -> None:
    for exercise in CATALOGUE.values():
        assert not FORBIDDEN_EQUIPMENT.search(text_of(exercise)), exercise.id


def test_no_exercise_pulls_on_the_affected_arm() -> None:
    for exercise in CATALOGUE.values():
        for sentence in sentences(exercise.instructions):
            if re.search(r"\bpull", sentence, re.IGNORECASE):
                assert "not the arm" in sentence, exercise.id


def test_shoulder_safety_says_support_do_not_force_and_stop_on_pain() -> None:
    for exercise in CATALOGUE.values():
        if exercise.stage != "shoulder":
            continue
        safety = exercise.safety.lower()
        assert "support" in safety or "rest" in safety or "table" in safety, exercise.id
        assert "force" in safety, exercise.id
        assert "stop" in safety and ("pain" in safety or "hurt" in safety), exercise.id


def test_every_instructions_text_is_at_most_three_short_sentences() -> None:
    for exercise in CATALOGUE.values():
        assert len(SENTENCE_END.findall(exercise.instructions.strip())) <= 3, exercise.id
        for sentence in sentences(exercise.instructions):
            assert len(sentence.split()) <= 20, (exercise.id, sentence)


def test_instructions_speak_to_the_patient() -> None:
    for exercise in CATALOGUE.values():
        assert re.search(r"\byour?\b", exercise.instructions, re.IGNORECASE), exercise.id
        assert "the patient" not in exercise.instructions.lower(), exercise.id


def test_safety_is_one_short_sentence() -> None:
    for exercise in CATALOGUE.values():
        assert len(SENTENCE_END.findall(exercise.safety.strip())) == 1, exercise.id
        assert len(exercise.safety) <= 120, exercise.id


def test_doses_start_modest() -> None:
    for exercise in CATALOGUE.values():
        assert 1 <= exercise.reps <= 10, exercise.id
        assert exercise.reps <= exercise.max_reps <= 30, exercise.id
        assert 1 <= exercise.sets <= 3, exercise.id
        if exercise.hold_seconds is not None:
            assert "hold" in exercise.instructions.lower(), exercise.id
            assert exercise.hold_seconds <= 10, exercise.id


# --- broken exercise files -------------------------------------------------------------------


def good_entry(id: str = "bad_one", **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": id,
        "stage": "shoulder",
        "kind": "range_of_motion",
        "motor": "gross",
        "regions": ["elbow"],
        "rep": "Bend, then straighten.",
        "title": "Towel slide",
        "instructions": "Slide the towel forward. Bring it back.",
        "reps": 8,
        "sets": 2,
        "max_reps": 20,
        "safety": "Stop if it hurts.",
    }
    entry.update(changes)
    return entry


def write(directory: Path, name: str, *entries: dict[str, Any]) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump({"exercises": list(entries)}), encoding="utf-8")
    return path


def error_for(directory: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_exercises(directory)
    return str(caught.value)


def test_a_good_file_in_tmp_path_loads(tmp_path: Path) -> None:
    write(tmp_path, "ok.yaml", good_entry("first", harder="second"),
          good_entry("second", easier="first"))
    assert set(load_exercises(tmp_path)) == {"first", "second"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reps": -1}, "reps"),
        ({"sets": 0}, "sets"),
        ({"colour": "red"}, "colour"),
        ({"stage": "knee"}, "stage"),
        ({"kind": "cardio"}, "kind"),
        ({"assist": "pulley"}, "assist"),
        ({"hold_seconds": 600}, "hold_seconds"),
        ({"id": "Bad One"}, "id"),
        ({"instructions": "Sit. Reach. Hold. Relax."}, "instructions"),
        ({"regions": []}, "regions"),
        ({"regions": ["knee"]}, "regions.0"),
        ({"rep": ""}, "rep"),
        ({"needs": ["a_lift"]}, "needs.0"),
    ],
)
def test_a_bad_field_names_the_file_the_entry_and_the_field(
    tmp_path: Path, changes: dict[str, Any], field: str
) -> None:
    write(tmp_path, "a_fine.yaml", good_entry("fine_one"))
    entry = good_entry(**changes)
    write(tmp_path, "broken.yaml", good_entry("before_it"), entry)
    message = error_for(tmp_path)
    assert "broken.yaml" in message
    assert f"'{entry['id']}'" in message
    assert f"field '{field}'" in message


def test_an_entry_without_an_id_is_named_by_its_position(tmp_path: Path) -> None:
    entry = good_entry()
    del entry["id"]
    write(tmp_path, "broken.yaml", good_entry("first"), entry)
    message = error_for(tmp_path)
    assert "broken.yaml" in message and "'#2'" in message and "field 'id'" in message


def test_a_dangling_harder_link_is_named(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", good_entry("lonely", harder="nowhere"))
    message = error_for(tmp_path)
    assert "broken.yaml" in message
    assert "'lonely'" in message
    assert "field 'harder'" in message
    assert "nowhere" in message


def test_a_dangling_easier_link_is_named(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", good_entry("first"))
    write(tmp_path, "b.yaml", good_entry("second", easier="gone"))
    message = error_for(tmp_path)
    assert "b.yaml" in message and "'second'" in message and "field 'easier'" in message


def test_a_duplicate_id_is_named_with_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", good_entry("twice"))
    write(tmp_path, "b.yaml", good_entry("twice"))
    message = error_for(tmp_path)
    assert "b.yaml" in message and "a.yaml" in message
    assert "'twice'" in message and "field 'id'" in message


def test_a_duplicate_id_within_one_file_is_named(tmp_path: Path) -> None:
    write(tmp_path, "one.yaml", good_entry("twice"), good_entry("twice"))
    message = error_for(tmp_path)
    assert "one.yaml" in message and "'twice'" in message and "field 'id'" in message


def test_a_functional_task_without_a_level_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", good_entry("no_level", stage="functional"))
    message = error_for(tmp_path)
    assert "broken.yaml" in message and "'no_level'" in message and "level" in message


def test_max_reps_below_reps_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", good_entry("upside_down", reps=10, max_reps=5))
    message = error_for(tmp_path)
    assert "broken.yaml" in message and "'upside_down'" in message and "max_reps" in message


def test_a_file_that_is_not_yaml_or_has_no_list_is_named(tmp_path: Path) -> None:
    (tmp_path / "garbled.yaml").write_text("exercises: [unclosed\n", encoding="utf-8")
    assert "garbled.yaml" in error_for(tmp_path)
    (tmp_path / "garbled.yaml").write_text("exercise:\n  - id: x\n", encoding="utf-8")
    message = error_for(tmp_path)
    assert "garbled.yaml" in message and "exercises:" in message


# --- lessons -----------------------------------------------------------------------------------


def lesson_env() -> jinja2.Environment:
    """Rendering as the bot does (autoescaped, blocks trimmed), but with the default Undefined:
    a lesson must cope with ``name`` missing altogether."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(LOCALE)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


LESSON_IDS = [lesson.id for lesson in LESSONS]
NAMES: list[dict[str, str]] = [{}, {"name": ""}, {"name": "Ann"}, {"name": "Tom <&> Jo"}]


def test_the_lesson_index_loads_with_the_required_lessons() -> None:
    assert len(LESSONS) >= 22
    assert set(LESSON_IDS) >= REQUIRED_LESSONS
    assert sorted(lesson.order for lesson in LESSONS) == list(range(1, len(LESSONS) + 1))


def test_general_lessons_suit_every_stage() -> None:
    by_id = {lesson.id: lesson for lesson in LESSONS}
    for lesson_id in REQUIRED_LESSONS:
        assert sorted(by_id[lesson_id].stages) == sorted(MOTOR_STAGES), lesson_id
    for lesson in LESSONS:
        assert "functional" not in lesson.stages, lesson.id


def test_family_has_lessons_of_its_own() -> None:
    family = [lesson for lesson in LESSONS if lesson.audience == "family"]
    assert len(family) >= 4
    assert any(lesson.id == "family_role" for lesson in family)


@pytest.mark.parametrize("stage", MOTOR_STAGES)
def test_a_patient_at_any_stage_has_lessons(stage: str) -> None:
    mine = [lesson for lesson in LESSONS if lesson.audience != "family" and stage in lesson.stages]
    assert len(mine) >= 15


def test_every_lesson_has_a_template_and_every_template_a_lesson() -> None:
    templates = {p.name.removesuffix(".html.j2") for p in (LOCALE / "lessons").glob("*.html.j2")}
    assert templates == set(LESSON_IDS)


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_renders_within_the_limit_with_and_without_a_name(lesson_id: str) -> None:
    template = lesson_env().get_template(f"lessons/{lesson_id}.html.j2")
    for values in NAMES:
        rendered = template.render(**values).strip()
        text = plain(rendered)
        assert len(text) <= LESSON_LIMIT, (lesson_id, values, len(text))
        assert set(TAG.findall(rendered)) <= ALLOWED_TAGS, lesson_id
        assert not ENTITY.sub("", rendered).count("&"), f"{lesson_id}: unescaped &"
        parse(rendered)  # as strictly as Telegram reads it
        if values.get("name"):
            assert "None" not in text
        else:
            assert ",," not in text and " ," not in text and "!!" not in text


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_starts_with_a_short_bold_title(lesson_id: str) -> None:
    source = (LOCALE / "lessons" / f"{lesson_id}.html.j2").read_text(encoding="utf-8")
    first = source.splitlines()[0]
    assert re.fullmatch(r"<b>[^<>{}]+</b>", first), lesson_id
    assert len(plain(first)) <= 50, lesson_id


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_renders_in_the_bot_itself(lesson_id: str) -> None:
    texts = Texts()
    for name in ("", "Ann"):
        text, _ = parse(texts.render(f"lessons/{lesson_id}", "en", name=name))
        assert len(text.strip()) <= LESSON_LIMIT


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_is_cautious_and_plain(lesson_id: str) -> None:
    text = plain(lesson_env().get_template(f"lessons/{lesson_id}.html.j2").render())
    assert not re.search(r"\bcure[sd]?\b|\bguarantee|\bfully recover|\bwill recover",
                         text, re.IGNORECASE), lesson_id
    for line in text.splitlines():  # a bullet is a line of its own
        for sentence in sentences(line):
            assert len(sentence.split()) <= 25, (lesson_id, sentence)


def lesson_text(lesson_id: str) -> str:
    return plain(lesson_env().get_template(f"lessons/{lesson_id}.html.j2").render()).lower()


@pytest.mark.parametrize(
    ("lesson_id", "words"),
    [
        ("proximal_to_distal", ["shoulder", "elbow", "fingers"]),
        ("gross_to_fine", ["big", "small"]),
        ("repetition_rewires", ["brain", "neuroplasticity", "repetition"]),
        ("home_practice", ["home", "every day"]),
        ("patience_and_hope", ["patient", "months"]),
        ("family_role", ["take over"]),
        ("setting_goals", ["/goal"]),
        ("small_improvements", ["/progress"]),
        ("daily_life_use", ["dress", "stir"]),
        ("shoulder_care", ["support", "pull", "pulley", "force", "stop"]),
        ("fatigue_and_rest", ["rest", "tired"]),
        ("when_to_call", ["emergency", "weakness", "numbness", "headache", "speaking",
                          "care team", "swell"]),
    ],
)
def test_required_lessons_cover_their_topic(lesson_id: str, words: list[str]) -> None:
    text = lesson_text(lesson_id)
    for word in words:
        assert word in text, (lesson_id, word)


def test_lessons_say_the_bot_complements_the_care_team() -> None:
    text = lesson_text("bot_and_care_team")
    assert "therapist" in text and "replace" in text


# --- safety templates --------------------------------------------------------------------------


def test_the_disclaimer_is_short_and_says_what_it_must() -> None:
    rendered = lesson_env().get_template("safety/disclaimer.html.j2").render().strip()
    text = plain(rendered)
    assert len(text) <= DISCLAIMER_LIMIT
    assert set(TAG.findall(rendered)) <= ALLOWED_TAGS
    parse(rendered)
    lowered = text.lower()
    for phrase in ("not medical advice", "therapist", "stop", "hurts", "emergency"):
        assert phrase in lowered, phrase


def test_the_reminder_is_one_line_and_rotates() -> None:
    template = lesson_env().get_template("safety/reminder.html.j2")
    seen = []
    for n in range(12):
        rendered = template.render(n=n).strip()
        assert "\n" not in rendered
        assert set(TAG.findall(rendered)) <= ALLOWED_TAGS
        parse(rendered)
        seen.append(plain(rendered))
    variants = set(seen)
    assert 4 <= len(variants) <= 6
    assert seen[: len(variants)] == seen[len(variants): 2 * len(variants)]  # a steady cycle
    assert plain(template.render().strip()) == seen[0]  # n missing: the first line


def test_the_reminder_and_disclaimer_render_in_the_bot_itself() -> None:
    texts = Texts()
    assert "\n" not in texts.render("safety/reminder", "en", name="")  # no n: StrictUndefined
    assert texts.render("safety/reminder", "en", name="", n=3)
    parse(texts.render("safety/disclaimer", "en", name=""))


def test_an_exercise_without_regions_or_a_rep_is_refused(tmp_path: Path) -> None:
    for missing in ("regions", "rep"):
        entry = good_entry("no_" + missing)
        del entry[missing]
        write(tmp_path, "broken.yaml", entry)
        assert f"field '{missing}'" in error_for(tmp_path)


@pytest.mark.parametrize(("text", "problem"), [
    ("Don't force it.", "no contractions"),
    ("It’s fine to rest.", "no contractions"),
    ("Hold the jar with your good hand.", "not 'good hand'"),
    ("Lift your weak arm.", "not 'weak arm'"),
    (" ".join(["word"] * 26) + ".", "a sentence of 26 words"),
])
def test_the_writing_rules_catch_what_readers_with_aphasia_trip_on(text: str,
                                                                   problem: str) -> None:
    found = writing_problems("here", text)
    assert found and problem in found[0]


def test_plain_short_text_passes_the_writing_rules() -> None:
    assert writing_problems("here", "Lift your affected arm. Rest. Patient's week.") == []


def test_the_content_check_finds_what_a_translation_lacks(tmp_path: Path) -> None:
    """A second language is checked against English: a missing template or label, one
    English lacks, and a value dropped or renamed are each one line; a faithful copy is
    clean."""
    import shutil

    from bot.materials.content_check import language_gaps
    from bot.materials.texts import LOCALES_DIR, Texts

    shutil.copytree(LOCALES_DIR / "en", tmp_path / "en")
    shutil.copytree(LOCALES_DIR / "en", tmp_path / "xx")
    shutil.copy(LOCALES_DIR / "es" / "exercises.yaml", tmp_path / "xx")  # exercise words
    assert language_gaps(Texts(tmp_path)) == []

    welcome = tmp_path / "xx" / "start" / "welcome.html.j2"
    welcome.write_text(welcome.read_text().replace("{{ name }}", "{{ nombre }}"))
    (tmp_path / "xx" / "help" / "commands.html.j2").unlink()
    (tmp_path / "xx" / "extra.html.j2").write_text("hola")
    labels = tmp_path / "xx" / "labels.yaml"
    text = labels.read_text()
    assert "  start: " in text
    labels.write_text(text.replace("  start: ", "  begin: ", 1))
    gaps = language_gaps(Texts(tmp_path))
    assert "locales/xx/help/commands.html.j2: missing (English has it)" in gaps
    assert "locales/xx/extra.html.j2: English has no such template" in gaps
    assert any(g.startswith("locales/xx/start/welcome.html.j2: uses") and "nombre" in g
               for g in gaps)
    assert any("labels.yaml" in g and "missing" in g for g in gaps)
    assert any("labels.yaml" in g and "English has no such label" in g for g in gaps)


def test_the_content_check_finds_exercise_words_a_translation_lacks(tmp_path: Path) -> None:
    """Every exercise needs its words in every language: one without any, one without its
    safety line, one with a title too short to read and one that does not exist are each
    found."""
    import shutil

    import yaml

    from bot.materials.content_check import exercise_gaps
    from bot.materials.texts import LOCALES_DIR

    shutil.copytree(LOCALES_DIR / "es", tmp_path / "xx")
    words = yaml.safe_load((tmp_path / "xx" / "exercises.yaml").read_text(encoding="utf-8"))
    del words["exercises"]["finger_lifts"]
    del words["exercises"]["wrist_lift"]["safety"]
    words["exercises"]["hold_cup"]["title"] = "x"
    words["exercises"]["juggle"] = {"title": "Malabares"}
    (tmp_path / "xx" / "exercises.yaml").write_text(yaml.safe_dump(words, allow_unicode=True),
                                                     encoding="utf-8")
    gaps = exercise_gaps("xx", tmp_path)
    assert "locales/xx/exercises.yaml: 'finger_lifts' missing (English has it)" in gaps
    assert "locales/xx/exercises.yaml: 'wrist_lift': 'safety' missing" in gaps
    assert any(g.startswith("locales/xx/exercises.yaml: 'hold_cup': title") for g in gaps)
    assert "locales/xx/exercises.yaml: 'juggle': no such exercise" in gaps
    assert len(gaps) == 4


def test_chinese_text_has_chinese_punctuation() -> None:
    from bot.materials.content_check import punctuation_problems

    assert punctuation_problems("x", "做得好！明天见。数字1,000和 /today。", "zh-Hans") == []
    assert len(punctuation_problems("x", "做得好!明天见.", "zh-Hans")) == 2
    assert punctuation_problems("x", "Well done, see you.", "en") == []
    assert punctuation_problems("x", "做得好,", "es") == []  # only Chinese text is checked


def test_a_card_too_long_for_its_pictures_caption_is_found(tmp_path: Path) -> None:
    import shutil

    from bot.materials.content_check import card_captions
    from bot.materials.texts import LOCALES_DIR, Texts

    assert card_captions(Texts()) == []
    shutil.copytree(LOCALES_DIR / "en", tmp_path / "en")
    card = tmp_path / "en" / "session" / "card.html.j2"
    card.write_text(card.read_text(encoding="utf-8") + "\n" + "Go gently. " * 95,
                    encoding="utf-8")
    found = card_captions(Texts(tmp_path))
    assert len(found) == 73 and "over the 1024 a picture's caption allows" in found[0]
