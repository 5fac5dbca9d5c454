"""Quick check-ins typed as free text: "did 12", "3x10 easy", "12 reps, it hurt".

A wrong record is worse than none: it skews the progression rules and the family's view. So
the parser is deliberately narrow. It accepts a few shapes (reps; sets × reps; reps / rating)
followed by known words for difficulty and pain, and answers "unclear" to anything else,
after which the bot shows a hint and records nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from bot.rules.typed import NONE, TypedWords

MAX_REPS = 500
MAX_SETS = 10


@dataclass(frozen=True)
class QuickCheckIn:
    """What the patient reported: ``reps`` per set, ``sets``, an optional 1..5 rating, pain."""

    reps: int  # per set, 0..MAX_REPS
    sets: int = 1  # 1..MAX_SETS
    difficulty: int | None = None  # 1 very easy .. 5 too hard
    pain: bool = False
    region: str | None = None  # where it hurt, when the words name one body region


@dataclass(frozen=True)
class ParseProblem:
    """Why nothing was recorded: "unclear" (show a hint) or "out_of_range" (say the limits)."""

    code: str  # "unclear" | "out_of_range"


UNCLEAR = ParseProblem("unclear")
OUT_OF_RANGE = ParseProblem("out_of_range")

_MAX_LENGTH = 200  # a check-in is short; a paragraph is a message for a human
_MAX_DIGITS = 6  # more digits than this is out of range anyway; int() of huge strings is slow

_N = r"\d+"


def _any(words: tuple[str, ...]) -> str:
    """Typed phrases as one alternative ("he hecho" matches "he  hecho" too)."""
    return "|".join(r"\s+".join(map(re.escape, w.split()))
                    for w in sorted(words, key=len, reverse=True))


@cache
def _shape(words: TypedWords) -> re.Pattern[str]:
    """The shapes of a check-in, in English and in ``words``."""
    more = f"|{_any(words.reps)}" if words.reps else ""
    reps = rf"(?:\s+(?:reps?|repetitions?|times{more}))"
    sets = rf"\s+(?:sets?{'|' + _any(words.sets) if words.sets else ''})"
    of = rf"(?:of{'|' + _any(words.of) if words.of else ''})"
    prefix = (r"(?:(?:i\s+)?(?:just\s+)?(?:did|done|completed|finished|managed)"
              r"|i'?ve\s+done|i\s+have\s+done"
              + (f"|{_any(words.did)}" if words.did else "") + ")")
    core = "|".join((
        rf"(?P<s1>{_N})\s*x\s*(?P<r1>{_N}){reps}?",  # 3x10, 3 x 10 reps: sets × reps
        rf"(?P<s2>{_N}){sets}\s+{of}\s+(?P<r2>{_N}){reps}?",  # 3 sets of 10
        rf"(?P<s3>{_N}){sets}\s+(?P<r3>{_N}){reps}",  # 3 sets 10 reps
        rf"(?P<r4>{_N}){reps}\s+(?:x\s*)?(?P<s4>{_N}){sets}",  # 10 reps 3 sets
        rf"(?P<r5>{_N}){reps}?\s*/\s*(?P<d5>{_N})",  # 10/3: 10 reps, felt 3 of 5
        rf"(?P<r6>{_N}){reps}?",  # 12, 12 reps
    ))
    return re.compile(rf"(?:{prefix}\s+)?(?:{core})(?P<rest>(?:\s+.*)?)", re.DOTALL)

# Phrases are rewritten to single markers before the remaining words are checked one by one;
# order matters (negated pain before pain, "very hard" before "hard").
_NO_PAIN = "<nopain>"
_PAIN = "<pain>"
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), marker)
    for pattern, marker in (
        (r"\b(?:no|without|zero)\s+(?:pain|soreness|aches?|hurting)\b", _NO_PAIN),
        (r"\b(?:pain\s*free|painless)\b", _NO_PAIN),
        (r"\b(?:didn'?t|did\s+not|doesn'?t|does\s+not|don'?t|never)\s+hurt\b", _NO_PAIN),
        (r"\b(?:not|wasn'?t|isn'?t)\s+(?:sore|painful)\b", _NO_PAIN),
        (r"\b(?:very|really|super|too|so)\s+easy\b", "<d1>"),
        (r"\b(?:very|really|super|too|so)\s+(?:hard|tough|difficult)\b", "<d5>"),
        (r"\b(?:exhausting|exhausted)\b", "<d5>"),
    )
)
_WORDS: dict[str, str] = {
    "easy": "<d2>",
    "ok": "<d3>", "okay": "<d3>", "fine": "<d3>", "medium": "<d3>", "moderate": "<d3>",
    "hard": "<d4>", "tough": "<d4>", "difficult": "<d4>",
    "pain": _PAIN, "painful": _PAIN, "hurt": _PAIN, "hurts": _PAIN, "hurting": _PAIN,
    "sore": _PAIN, "ache": _PAIN, "aches": _PAIN, "aching": _PAIN, "ached": _PAIN,
    "ouch": _PAIN,
}
# Words that carry nothing; ignored, but nothing else may appear.
_FILLER = frozenset({
    "it", "it's", "its", "was", "is", "felt", "feel", "feels", "and", "but", "a", "bit",
    "little", "quite", "pretty", "rather", "slightly", "kinda", "somewhat", "though", "today",
    "done", "all",
})
# Where it hurts is welcome next to a pain word ("12, my wrist is sore"), but alone it could be
# anything ("12 left arm"), so these count as filler only when pain is mentioned.
_BODY = frozenset({
    "my", "the", "hand", "hands", "arm", "arms", "shoulder", "shoulders", "elbow", "elbows",
    "wrist", "wrists", "finger", "fingers", "thumb", "thumbs", "palm", "forearm", "back",
    "neck", "again", "after", "afterwards", "during", "at", "end",
})


_REGION_WORDS = {
    "shoulder": "shoulder", "shoulders": "shoulder", "elbow": "elbow", "elbows": "elbow",
    "wrist": "wrist", "wrists": "wrist", "forearm": "wrist", "hand": "hand", "hands": "hand",
    "finger": "hand", "fingers": "hand", "thumb": "hand", "thumbs": "hand", "palm": "hand",
}
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class _Tables:
    phrases: tuple[tuple[re.Pattern[str], str], ...]
    words: dict[str, str]
    filler: frozenset[str]
    body: frozenset[str]
    regions: dict[str, str]
    chinese: re.Pattern[str] | None  # the Chinese words, to space them out


@cache
def _tables(words: TypedWords) -> _Tables:
    """English and ``words`` together. Phrases are rewritten to markers before the words are
    checked one by one: no pain before pain, "muy fácil" before "fácil"."""
    def phrase(text: str) -> str:
        body = r"\s+".join(map(re.escape, text.split()))
        return body if _HAN.search(text) else rf"\b{body}\b"

    extra: list[tuple[str, str]] = [(w, _NO_PAIN) for w in words.no_pain]
    extra += [(w, f"<d{level}>") for level, group in sorted(words.feel) for w in group]
    extra += [(w, _PAIN) for w in words.pain]
    extra.sort(key=lambda item: len(item[0]), reverse=True)  # the longest reading first
    phrases = _PHRASES + tuple((re.compile(phrase(w)), marker) for w, marker in extra)
    regions = dict(_REGION_WORDS) | {w: region for region, group in words.regions
                                     for w in group}
    han = {w for w in (*words.did, *words.reps, *words.sets, *words.filler, *words.body,
                       *regions, *(phrase_ for phrase_, _ in extra))
           if _HAN.search(w)}
    chinese = (re.compile("|".join(map(re.escape, sorted(han, key=len, reverse=True))))
               if han else None)
    return _Tables(phrases=phrases, words=_WORDS, filler=_FILLER | frozenset(words.filler),
                   body=_BODY | frozenset(words.body) | frozenset(regions), regions=regions,
                   chinese=chinese)


def _spaced(text: str, tables: _Tables) -> str:
    """Chinese words and numbers apart: "做了12个，很难" → "做了 12 个 , 很难"."""
    if tables.chinese is None or not _HAN.search(text):
        return text
    text = tables.chinese.sub(lambda m: f" {m.group(0)} ", text)
    return " ".join(re.sub(r"(\d+)", r" \1 ", text).split())


def pain_region(text: str, words: TypedWords = NONE) -> str | None:
    """The one body region a pain report names ("my shoulder is sore"); None when it names
    none, or more than one (then the bot asks)."""
    tables = _tables(words)
    found = {tables.regions[w] for w in re.findall(r"\w+", _spaced(_normalise(text), tables))
             if w in tables.regions}
    return found.pop() if len(found) == 1 else None


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def _normalise(text: str) -> str:
    """Lower case, plain digits and apostrophes, no emoji, single spaces, no end punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("×", "x").replace("*", "x").replace("’", "'").replace("‘", "'")
    text = "".join(
        char for char in text
        if unicodedata.category(char) not in ("So", "Sk", "Cf", "Mn", "Me")
    )
    text = " ".join(text.replace("。", ".").replace("、", ",").split())
    return text.rstrip(".!?…;:, ").strip()


def _modifiers(rest: str, tables: _Tables) -> tuple[int | None, bool] | None:
    """Difficulty and pain from the words after the numbers; None if anything is unknown or
    contradictory (two different ratings, pain and no pain)."""
    if "<" in rest or ">" in rest:  # reserved for the markers below
        return None
    for pattern, marker in tables.phrases:
        rest = pattern.sub(f" {marker} ", rest)
    words = [tables.words.get(word, word) for word in rest.split()]
    ratings = {int(word[2]) for word in words if re.fullmatch(r"<d[1-5]>", word)}
    pain, no_pain = _PAIN in words, _NO_PAIN in words
    allowed = tables.filler | (tables.body if pain else frozenset())
    unknown = [word for word in words if not word.startswith("<") and word not in allowed]
    if unknown or len(ratings) > 1 or (pain and no_pain):
        return None
    return (ratings.pop() if ratings else None), pain


def parse_checkin(text: str, words: TypedWords = NONE) -> QuickCheckIn | ParseProblem:
    """A quick check-in from free text (English, and the languages of ``words``), or the
    reason it was not understood.

    Numbers are never guessed: a time ("9:30"), a decimal, a negative number or a second
    number that is not part of a known shape ("12 or 13") all make the text unclear.
    """
    if len(text) > _MAX_LENGTH:
        return UNCLEAR
    tables = _tables(words)
    clean = _spaced(_normalise(text), tables)
    if not clean or clean.startswith("/"):
        return UNCLEAR
    if re.search(r"\d\s*[:.,]\s*\d|(?:^|[^\w])[-−–+]\s*\d|\d\s*[-−–]\s*\d", clean):
        return UNCLEAR  # a time, a decimal, a negative number or a range
    clean = re.sub(r"\s*[,;!?]+\s*|\s+[-–—]+\s+|\.(?=\s|$)", " ", clean).strip()
    found = _shape(words).fullmatch(clean)
    if found is None:
        return UNCLEAR
    rest = found["rest"]
    if re.search(r"\d", rest):
        return UNCLEAR
    modifiers = _modifiers(rest, tables)
    if modifiers is None:
        return UNCLEAR
    difficulty, pain = modifiers
    groups = found.groupdict()
    reps = _number(next(groups[f"r{i}"] for i in range(1, 7) if groups[f"r{i}"] is not None))
    sets_text = next((groups[f"s{i}"] for i in range(1, 5) if groups[f"s{i}"]), None)
    sets = _number(sets_text) if sets_text is not None else 1
    if groups["d5"] is not None:
        rating = _number(groups["d5"])
        if not 1 <= rating <= 5:
            return OUT_OF_RANGE
        if difficulty is not None and difficulty != rating:
            return UNCLEAR
        difficulty = rating
    if not 0 <= reps <= MAX_REPS or not 1 <= sets <= MAX_SETS:
        return OUT_OF_RANGE
    return QuickCheckIn(reps=reps, sets=sets, difficulty=difficulty, pain=pain,
                        region=pain_region(rest, words) if pain else None)


_HELP = re.compile(r"^\W*(help|help me|what can you do|menu|commands|\?+)\W*$", re.IGNORECASE)


def asks_for_help(text: str, words: TypedWords = NONE) -> bool:
    """Typed "help" (or "?", "menu", "ayuda", "帮助"): answered like /help, never as a
    check-in."""
    clean = text.strip()
    if _HELP.match(clean):
        return True
    plain = " ".join(re.sub(r"[^\w\s]", " ", clean.casefold()).split())
    return plain in words.help
