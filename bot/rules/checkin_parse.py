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
# English, Spanish ("hice 12", "3 series de 10 repeticiones") and Chinese ("做了12个",
# "3组10次"; Chinese words are spaced out first, see _spaced)
_REPS = (r"(?:\s+(?:reps?|repetitions?|times|repeticion(?:es)?|repetición|repes|veces"
         r"|个|次|下|遍))")
_SETS = r"\s+(?:sets?|series?|组)"
_PREFIX = (
    r"(?:(?:i\s+)?(?:just\s+)?(?:did|done|completed|finished|managed)"
    r"|i'?ve\s+done|i\s+have\s+done"
    r"|(?:ya\s+)?(?:hice|he\s+hecho|complet[eé]|termin[eé])"
    r"|我?(?:做了|做完了?|完成了?|练了))"
)
_CORE = "|".join((
    rf"(?P<s1>{_N})\s*x\s*(?P<r1>{_N}){_REPS}?",  # 3x10, 3 x 10 reps: sets × reps
    rf"(?P<s2>{_N}){_SETS}\s+(?:of|de)\s+(?P<r2>{_N}){_REPS}?",  # 3 sets of 10
    rf"(?P<s3>{_N}){_SETS}\s+(?P<r3>{_N}){_REPS}",  # 3 sets 10 reps
    rf"(?P<r4>{_N}){_REPS}\s+(?:x\s*)?(?P<s4>{_N}){_SETS}",  # 10 reps 3 sets
    rf"(?P<r5>{_N}){_REPS}?\s*/\s*(?P<d5>{_N})",  # 10/3: 10 reps, felt 3 of 5
    rf"(?P<r6>{_N}){_REPS}?",  # 12, 12 reps
))
_SHAPE = re.compile(rf"(?:{_PREFIX}\s+)?(?:{_CORE})(?P<rest>(?:\s+.*)?)", re.DOTALL)

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
        # Spanish
        (r"\b(?:sin\s+dolor|no\s+(?:me\s+)?(?:duele|doli[oó]|dol[ií]a))\b", _NO_PAIN),
        (r"\b(?:muy|demasiado)\s+f[aá]cil\b", "<d1>"),
        (r"\b(?:muy|demasiado)\s+(?:dif[ií]cil|duro|dura)\b", "<d5>"),
        (r"\b(?:agotador|agotadora|agotado|agotada)\b", "<d5>"),
        # Chinese (already spaced out)
        (r"(?:不疼|不痛|没疼|没有疼|没痛|没有痛)", _NO_PAIN),
        (r"(?:很容易|太容易|非常容易|很轻松|太轻松|非常轻松|很简单|太简单)", "<d1>"),
        (r"(?:很难|太难|非常难|特别难|好难|太累|很累)", "<d5>"),
    )
)
_WORDS: dict[str, str] = {
    "easy": "<d2>",
    "ok": "<d3>", "okay": "<d3>", "fine": "<d3>", "medium": "<d3>", "moderate": "<d3>",
    "hard": "<d4>", "tough": "<d4>", "difficult": "<d4>",
    "pain": _PAIN, "painful": _PAIN, "hurt": _PAIN, "hurts": _PAIN, "hurting": _PAIN,
    "sore": _PAIN, "ache": _PAIN, "aches": _PAIN, "aching": _PAIN, "ached": _PAIN,
    "ouch": _PAIN,
    # Spanish
    "fácil": "<d2>", "facil": "<d2>", "bien": "<d3>", "normal": "<d3>", "regular": "<d3>",
    "difícil": "<d4>", "dificil": "<d4>", "duro": "<d4>", "dura": "<d4>", "costó": "<d4>",
    "duele": _PAIN, "dolió": _PAIN, "dolio": _PAIN, "dolor": _PAIN, "doloroso": _PAIN,
    "dolorosa": _PAIN, "dolía": _PAIN, "dolia": _PAIN, "ay": _PAIN,
    # Chinese
    "容易": "<d2>", "轻松": "<d2>", "简单": "<d2>", "还行": "<d3>", "还可以": "<d3>",
    "一般": "<d3>", "可以": "<d3>", "难": "<d4>", "有点难": "<d4>", "累": "<d4>",
    "疼": _PAIN, "痛": _PAIN, "疼痛": _PAIN, "酸痛": _PAIN, "很疼": _PAIN, "很痛": _PAIN,
}
# Words that carry nothing; ignored, but nothing else may appear.
_FILLER = frozenset({
    "it", "it's", "its", "was", "is", "felt", "feel", "feels", "and", "but", "a", "bit",
    "little", "quite", "pretty", "rather", "slightly", "kinda", "somewhat", "though", "today",
    "done", "all",
    "me", "fue", "estuvo", "un", "poco", "y", "pero", "hoy", "todo", "algo", "bastante",
    "lo", "se", "sentí", "senti", "hecho", "hechas", "hechos",
    "有点", "了", "的", "今天", "感觉", "觉得", "我", "都", "还", "但是", "有些",
})
# Where it hurts is welcome next to a pain word ("12, my wrist is sore"), but alone it could be
# anything ("12 left arm"), so these count as filler only when pain is mentioned.
_BODY = frozenset({
    "my", "the", "hand", "hands", "arm", "arms", "shoulder", "shoulders", "elbow", "elbows",
    "wrist", "wrists", "finger", "fingers", "thumb", "thumbs", "palm", "forearm", "back",
    "neck", "again", "after", "afterwards", "during", "at", "end",
    "mi", "el", "la", "los", "las", "hombro", "hombros", "codo", "codos", "muñeca", "muñecas",
    "mano", "manos", "dedo", "dedos", "pulgar", "brazo", "antebrazo", "palma", "espalda",
    "cuello", "después", "despues", "al", "final",
    "我的", "肩膀", "肩", "手肘", "肘", "手腕", "腕", "手", "手指", "拇指", "胳膊", "手臂",
    "前臂", "手掌", "后来", "之后",
})


_REGION_WORDS = {
    "shoulder": "shoulder", "shoulders": "shoulder", "elbow": "elbow", "elbows": "elbow",
    "wrist": "wrist", "wrists": "wrist", "forearm": "wrist", "hand": "hand", "hands": "hand",
    "finger": "hand", "fingers": "hand", "thumb": "hand", "thumbs": "hand", "palm": "hand",
    "hombro": "shoulder", "hombros": "shoulder", "codo": "elbow", "codos": "elbow",
    "muñeca": "wrist", "muñecas": "wrist", "antebrazo": "wrist", "mano": "hand",
    "manos": "hand", "dedo": "hand", "dedos": "hand", "pulgar": "hand", "palma": "hand",
    "肩膀": "shoulder", "肩": "shoulder", "手肘": "elbow", "肘": "elbow", "手腕": "wrist",
    "腕": "wrist", "前臂": "wrist", "手": "hand", "手指": "hand", "拇指": "hand", "手掌": "hand",
}
# Chinese is written without spaces: its known words are spaced out before parsing, longest
# first ("手腕" before "手", "很难" before "难")
_CHINESE_WORDS = sorted(
    {w for w in (*_WORDS, *_FILLER, *_BODY, *_REGION_WORDS) if re.search(r"[\u4e00-\u9fff]", w)}
    | {"做了", "做完了", "做完", "完成了", "完成", "练了", "我做了", "个", "次", "下", "遍", "组",
       "不疼", "不痛", "没疼", "没有疼", "没痛", "没有痛", "很容易", "太容易", "非常容易",
       "很轻松", "太轻松", "非常轻松", "很简单", "太简单", "很难", "太难", "非常难", "特别难",
       "好难", "太累", "很累"}, key=len, reverse=True)
_CHINESE = re.compile("|".join(map(re.escape, _CHINESE_WORDS)))


def _spaced(text: str) -> str:
    """Chinese words and numbers apart: "做了12个，很难" → "做了 12 个 , 很难"."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    text = _CHINESE.sub(lambda m: f" {m.group(0)} ", text)
    return " ".join(re.sub(r"(\d+)", r" \1 ", text).split())


def pain_region(text: str) -> str | None:
    """The one body region a pain report names ("my shoulder is sore"); None when it names
    none, or more than one (then the bot asks)."""
    found = {_REGION_WORDS[w] for w in re.findall(r"\w+", _spaced(_normalise(text)))
             if w in _REGION_WORDS}
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
    text = text.replace("。", ".").replace("、", ",")
    text = " ".join(_spaced(text).split())
    return text.rstrip(".!?…;:, ").strip()


def _modifiers(rest: str) -> tuple[int | None, bool] | None:
    """Difficulty and pain from the words after the numbers; None if anything is unknown or
    contradictory (two different ratings, pain and no pain)."""
    if "<" in rest or ">" in rest:  # reserved for the markers below
        return None
    for pattern, marker in _PHRASES:
        rest = pattern.sub(f" {marker} ", rest)
    words = [_WORDS.get(word, word) for word in rest.split()]
    ratings = {int(word[2]) for word in words if re.fullmatch(r"<d[1-5]>", word)}
    pain, no_pain = _PAIN in words, _NO_PAIN in words
    allowed = _FILLER | (_BODY if pain else frozenset())
    unknown = [word for word in words if not word.startswith("<") and word not in allowed]
    if unknown or len(ratings) > 1 or (pain and no_pain):
        return None
    return (ratings.pop() if ratings else None), pain


def parse_checkin(text: str) -> QuickCheckIn | ParseProblem:
    """A quick check-in from free text, or the reason it was not understood.

    Numbers are never guessed: a time ("9:30"), a decimal, a negative number or a second
    number that is not part of a known shape ("12 or 13") all make the text unclear.
    """
    if len(text) > _MAX_LENGTH:
        return UNCLEAR
    clean = _normalise(text)
    if not clean or clean.startswith("/"):
        return UNCLEAR
    if re.search(r"\d\s*[:.,]\s*\d|(?:^|[^\w])[-−–+]\s*\d|\d\s*[-−–]\s*\d", clean):
        return UNCLEAR  # a time, a decimal, a negative number or a range
    clean = re.sub(r"\s*[,;!?]+\s*|\s+[-–—]+\s+|\.(?=\s|$)", " ", clean).strip()
    found = _SHAPE.fullmatch(clean)
    if found is None:
        return UNCLEAR
    rest = found["rest"]
    if re.search(r"\d", rest):
        return UNCLEAR
    modifiers = _modifiers(rest)
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
                        region=pain_region(rest) if pain else None)


_HELP = re.compile(r"^\W*(help|help me|what can you do|menu|commands|\?+|ayuda|ay[uú]dame"
                   r"|men[uú]|comandos|qu[eé] puedes hacer|帮助|帮帮我|帮忙|菜单|怎么用|命令)"
                   r"\W*$", re.IGNORECASE)


def asks_for_help(text: str) -> bool:
    """Typed "help" (or "?", "menu"): answered like /help, never as a check-in."""
    return bool(_HELP.match(text.strip()))
