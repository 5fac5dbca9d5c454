"""``rehab-buddy content check``: every content file validates and every template renders.

Each template is rendered in every language with sample values (``content/samples.yaml``; a
template that needs more than a first name must have an entry there) and the result is checked
as Telegram would check it: valid HTML, within the length limits.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateError
from pydantic import ValidationError

from bot import yaml_files
from bot.emulator.html import HtmlError, parse, utf16_len
from bot.materials.catalogue import (
    CONTENT_DIR,
    WORDS,
    ContentError,
    catalogue,
    load_exercises,
    load_lessons,
    load_words,
)
from bot.materials.texts import Texts
from bot.materials.typed_words import load_typed
from bot.rules.exercises import Exercise

LESSON_LIMIT = 600
SENTENCE_WORDS = 25  # the longest sentence a reader with aphasia should meet (en)
# The Stroke Association's accessible-information rules, for the English texts: no
# contractions, short sentences, and one word for each idea ("affected" for the weaker side,
# "other" for the stronger one).
CONTRACTION = re.compile(
    r"\b\w+n['’]t\b|\b\w+['’](?:re|ll|ve|m|d)\b"
    r"|\b(?:it|that|there|here|what|let|who|he|she)['’]s\b", re.IGNORECASE)
OTHER_WORDS = re.compile(
    r"\b(?:weak(?:er)?|bad|good|strong(?:er)?|healthy|sound) (?:arm|hand|side)s?\b"
    r"|\b(?:paretic|hemiparetic|plegic|unaffected)\b", re.IGNORECASE)


def writing_problems(where: str, text: str) -> list[str]:
    """What breaks the writing rules in one English text (plain, without tags)."""
    found = []
    if match := CONTRACTION.search(text):
        found.append(f"{where}: no contractions, please ('{match.group(0)}')")
    if match := OTHER_WORDS.search(text):
        found.append(f"{where}: say 'affected' or 'other', not '{match.group(0)}'")
    for sentence in re.split(r"(?<=[.!?])\s+|\n+|\s·\s", text):
        if len(sentence.split()) > SENTENCE_WORDS:
            found.append(f"{where}: a sentence of {len(sentence.split())} words, over "
                         f"{SENTENCE_WORDS}: '{sentence[:60]}…'")
    return found
CJK = r"[\u3400-\u9fff]"
# in Chinese text, Chinese punctuation: "，" not ",", "。" not "." (a comma between digits,
# "1,000", or a full stop in "/today." is not Chinese text)
WESTERN_MARK = re.compile(rf"(?<={CJK})[,.!?:;()]|[,!?:;(]\s*(?={CJK})")


def punctuation_problems(where: str, text: str, lang: str) -> list[str]:
    """Western punctuation next to Chinese characters, in a Chinese text."""
    if not lang.lower().startswith("zh"):
        return []
    return [f"{where}: Chinese punctuation, please ('{text[max(0, m.start() - 6):m.end() + 4]}')"
            for m in WESTERN_MARK.finditer(text)]


LIST_LABELS = {"chart.weekdays", "chart.months"}  # lists split on ",": data, not text
MESSAGE_LIMIT = 4096
SAMPLES = CONTENT_DIR / "samples.yaml"


def _samples(path: Path = SAMPLES) -> dict[str, list[dict[str, Any]]]:
    if not path.exists():
        return {}
    data = yaml_files.read(path) or {}
    if not isinstance(data, dict):
        raise ContentError(f"{path.name}: expected a mapping of template name to sample values")
    return {name: value if isinstance(value, list) else [value] for name, value in data.items()}


def problems(texts: Texts | None = None) -> tuple[list[str], dict[str, int]]:
    """Everything wrong with the shipped content, and counts of what was checked."""
    texts = texts or Texts()
    found: list[str] = []
    counts = {"exercises": 0, "lessons": 0, "templates": 0, "labels": 0}
    try:
        exercises = load_exercises()
        counts["exercises"] = len(exercises)
        if not counts["exercises"]:
            found.append("exercises/: no exercise files")
        for exercise in exercises.values():
            if exercise.pose is None:
                found.append(f"exercises: '{exercise.id}': no pose (the picture on its card: "
                             "docs/pictures.md)")
            for field in ("title", "rep", "instructions", "safety"):
                found.extend(writing_problems(f"exercises: '{exercise.id}': {field}",
                                              getattr(exercise, field)))
    except ContentError as exc:
        found.append(str(exc))
    lesson_ids: set[str] = set()
    try:
        lessons = load_lessons()
        counts["lessons"] = len(lessons)
        lesson_ids = {lesson.id for lesson in lessons}
    except ContentError as exc:
        found.append(str(exc))
    try:
        samples = _samples()
    except (ContentError, yaml.YAMLError) as exc:
        found.append(str(exc))
        samples = {}
    for lesson_id in sorted(lesson_ids):
        if not texts.has(f"lessons/{lesson_id}"):
            found.append(f"lessons.yaml: entry '{lesson_id}': no template "
                         f"content/locales/en/lessons/{lesson_id}.html.j2")
    for lang in sorted(texts.languages | texts.drafts):  # what a draft has must be right too
        for name in texts.template_names(lang):
            for values in samples.get(name, [{}]):
                context = {"name": "Ann", **values}
                where = f"locales/{lang}/{name}.html.j2"
                try:
                    rendered = texts.render(name, lang, **context)
                except (TemplateError, TypeError, ValueError, AttributeError) as exc:
                    hint = "" if name in samples else " (add sample values to content/samples.yaml)"
                    found.append(f"{where}: does not render: {exc}{hint}")
                    continue
                counts["templates"] += 1
                try:
                    plain, _ = parse(rendered)
                except HtmlError as exc:
                    found.append(f"{where}: Telegram would refuse it: {exc}")
                    continue
                if lang == "en":
                    found.extend(writing_problems(where, plain))
                found.extend(punctuation_problems(where, plain, lang))
                limit = LESSON_LIMIT if name.startswith("lessons/") else MESSAGE_LIMIT
                if len(plain.strip()) > limit:
                    found.append(f"{where}: {len(plain.strip())} characters, over {limit}")
        for key in texts.label_keys(lang):
            try:
                label = texts.label(key, lang, **samples.get(f"label:{key}", [{}])[0])
                counts["labels"] += 1
                if lang == "en":
                    found.extend(writing_problems(f"locales/{lang}/labels.yaml: '{key}'", label))
                if key not in LIST_LABELS:
                    found.extend(punctuation_problems(f"locales/{lang}/labels.yaml: '{key}'",
                                                      label, lang))
            except (TemplateError, KeyError) as exc:
                found.append(f"locales/{lang}/labels.yaml: '{key}' does not render: {exc}")
    found.extend(language_gaps(texts))
    found.extend(card_captions(texts))
    for path in sorted(texts.root.glob("*/typed.yaml")):
        try:
            load_typed(path)
        except ContentError as exc:
            found.append(str(exc))
    return found, counts


def language_gaps(texts: Texts, only: str | None = None) -> list[str]:
    """Every language has every template and label English has, and nothing English lacks,
    and each uses the same values (a translation that drops ``{{ reps }}`` says a wrong
    thing, not just a shorter one)."""
    found: list[str] = []
    en_templates = set(texts.template_names("en"))
    en_labels = set(texts.label_keys("en"))
    for lang in [only] if only else sorted(texts.languages - {"en"}):
        templates = set(texts.template_names(lang))
        labels = set(texts.label_keys(lang))
        found += [f"locales/{lang}/{name}.html.j2: missing (English has it)"
                  for name in sorted(en_templates - templates)]
        found += [f"locales/{lang}/{name}.html.j2: English has no such template"
                  for name in sorted(templates - en_templates)]
        found += [f"locales/{lang}/labels.yaml: '{key}' missing (English has it)"
                  for key in sorted(en_labels - labels)]
        found += [f"locales/{lang}/labels.yaml: '{key}': English has no such label"
                  for key in sorted(labels - en_labels)]
        for name in sorted(en_templates & templates):
            ours, theirs = (texts.placeholders(lang, template=name),
                            texts.placeholders("en", template=name))
            if ours != theirs:
                found.append(f"locales/{lang}/{name}.html.j2: uses {sorted(ours)}, English "
                             f"uses {sorted(theirs)}")
        for key in sorted(en_labels & labels):
            ours, theirs = (texts.placeholders(lang, label=key),
                            texts.placeholders("en", label=key))
            if ours != theirs:
                found.append(f"locales/{lang}/labels.yaml: '{key}' uses {sorted(ours)}, "
                             f"English uses {sorted(theirs)}")
        found += exercise_gaps(lang, texts.root)
    return found


def exercise_gaps(lang: str, locales: Path) -> list[str]:
    """Every exercise has its words in ``lang`` (title, one rep, instructions, safety, and
    the things it needs), each valid as English's are; no words for an exercise that is not
    there."""
    where = f"locales/{lang}/exercises.yaml"
    try:
        words = load_words(lang, locales)
        exercises = load_exercises()
    except ContentError as exc:
        return [str(exc)]
    found = [f"{where}: '{id_}': no such exercise" for id_ in sorted(set(words) - set(exercises))]
    for id_, exercise in sorted(exercises.items()):
        own = words.get(id_)
        if own is None:
            found.append(f"{where}: '{id_}' missing (English has it)")
            continue
        needed = [w for w in WORDS if w != "items" or exercise.items]
        found += [f"{where}: '{id_}': '{w}' missing" for w in needed if not own.get(w)]
        found += [f"{where}: '{id_}': '{w}' is not one of {list(WORDS)}" for w in own
                  if w not in WORDS]
        if exercise.items and len(own.get("items") or []) != len(exercise.items):
            found.append(f"{where}: '{id_}': items: {len(exercise.items)} in English")
        for w in ("title", "rep", "instructions", "safety"):
            found += punctuation_problems(f"{where}: '{id_}': {w}", str(own.get(w) or ""), lang)
        try:
            Exercise.model_validate(exercise.model_dump() | {w: own[w] for w in WORDS
                                                             if w in own})
        except ValidationError as exc:
            first = exc.errors()[0]
            found.append(f"{where}: '{id_}': {'.'.join(map(str, first['loc']))}: "
                         f"{first['msg']}")
    return found


CAPTION_LIMIT = 1024


def card_captions(texts: Texts) -> list[str]:
    """Every exercise's session card, at its longest (three sets, a hold, asking where it
    hurt), fits under its picture: Telegram allows 1,024 characters in a caption."""
    found = []
    try:
        exercises = load_exercises()
    except ContentError:
        return []  # said already
    for lang in sorted(texts.languages):
        words = catalogue(lang)
        for id_ in exercises:
            ex = words[id_]
            values = dict(number=10, count=12, title=ex.title, instructions=ex.instructions,
                          reps=ex.max_reps, sets=3, hold=30, items=", ".join(ex.items),
                          safety=ex.safety, rep=ex.rep, side="right", chosen=ex.max_reps,
                          region=texts.label("region_name.wrist", lang), reminder="")
            longest = 0
            for asking in ("where", "how_much", None):
                rendered = texts.render("session/card", lang, name="Ann", asking=asking,
                                        **values)
                longest = max(longest, utf16_len(parse(rendered)[0].strip()))
            if longest > CAPTION_LIMIT:
                found.append(f"exercises: '{id_}' ({lang}): its card is {longest} characters, "
                             f"over the {CAPTION_LIMIT} a picture's caption allows")
    return found


def drafts(texts: Texts) -> list[str]:
    """How far each translation under way has come (a folder with a DRAFT file: not offered
    to anyone until it is complete and the file is removed)."""
    lines = []
    for lang in sorted(texts.drafts):
        gaps = language_gaps(texts, only=lang)
        lines.append(f"{lang} (draft, not offered): {len(texts.template_names(lang))} of "
                     f"{len(texts.template_names('en'))} templates, {len(texts.label_keys(lang))} "
                     f"of {len(texts.label_keys('en'))} labels; {len(gaps)} gap(s) left")
    return lines


def check_content() -> int:
    found, counts = problems()
    for line in drafts(Texts()):
        print(f"content: {line}")
    for problem in found:
        print(f"content: {problem}", file=sys.stderr)
    if found:
        print(f"content check: {len(found)} problem(s).", file=sys.stderr)
        return 1
    print("content check: "
          + ", ".join(f"{n} {what}" for what, n in counts.items()) + " — all fine.")
    return 0
