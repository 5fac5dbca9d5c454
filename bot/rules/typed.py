"""Words people type in languages other than English, as plain data (English is written into
the rules themselves). Every language's words are understood whatever language a person reads:
a Spanish reader who types "did 12" is understood, and so is an English reader who types
"hice 12". The words live in ``content/locales/<lang>/typed.yaml``
(``bot.materials.typed_words`` reads them); the rules take them as an argument."""

from __future__ import annotations

from dataclasses import dataclass, field

Words = tuple[str, ...]


@dataclass(frozen=True)
class TypedWords:
    """What the parsers accept beyond English. Phrases may hold spaces; Chinese needs none."""

    did: Words = ()  # before the number: "hice", "做了"
    reps: Words = ()  # after it: "repeticiones", "个"
    sets: Words = ()  # "series", "组"
    of: Words = ()  # "3 series de 10"
    feel: tuple[tuple[int, Words], ...] = ()  # how hard it felt, 1 (very easy) to 5 (too hard)
    pain: Words = ()  # "duele", "疼"
    no_pain: Words = ()  # "sin dolor", "不疼"
    filler: Words = ()  # words that carry nothing in a check-in: "me", "fue", "了"
    body: Words = ()  # where it hurt, welcome next to a pain word: "mi", "brazo"
    regions: tuple[tuple[str, Words], ...] = ()  # region → its words: ("shoulder", ("hombro",))
    help: Words = ()  # a whole message asking for help: "ayuda", "帮助"
    warning: Words = ()  # may be a warning sign: "mareo", "胸痛"
    answers: tuple[tuple[str, Words], ...] = ()  # yes / no / partly / unsure → words
    sides: tuple[tuple[str, Words], ...] = ()  # left / right / both → words
    days: tuple[Words, ...] = ()  # seven groups, Monday first: ("lun", "lunes"), …
    every_day: Words = ()
    weekdays: Words = ()  # Monday to Friday
    weekends: Words = ()
    to: Words = ()  # a range of days: "lun a vie", "周一到周五"
    and_: Words = field(default=())  # "sáb y dom"

    def merged(self, other: TypedWords) -> TypedWords:
        """Both languages' words (the order of keyed groups kept)."""
        def keyed(a: tuple[tuple[object, Words], ...], b: tuple[tuple[object, Words], ...]
                  ) -> tuple[tuple[object, Words], ...]:
            out: dict[object, Words] = dict(a)
            for key, words in b:
                out[key] = out.get(key, ()) + words
            return tuple(out.items())

        days = tuple(a + b for a, b in zip(self.days or ((),) * 7, other.days or ((),) * 7,
                                           strict=True))
        return TypedWords(
            did=self.did + other.did, reps=self.reps + other.reps, sets=self.sets + other.sets,
            of=self.of + other.of, feel=keyed(self.feel, other.feel),  # type: ignore[arg-type]
            pain=self.pain + other.pain, no_pain=self.no_pain + other.no_pain,
            filler=self.filler + other.filler, body=self.body + other.body,
            regions=keyed(self.regions, other.regions),  # type: ignore[arg-type]
            help=self.help + other.help, warning=self.warning + other.warning,
            answers=keyed(self.answers, other.answers),  # type: ignore[arg-type]
            sides=keyed(self.sides, other.sides),  # type: ignore[arg-type]
            days=days if any(days) else (), every_day=self.every_day + other.every_day,
            weekdays=self.weekdays + other.weekdays, weekends=self.weekends + other.weekends,
            to=self.to + other.to, and_=self.and_ + other.and_)

    def answer(self, kind: str) -> Words:
        return dict(self.answers).get(kind, ())

    def side(self, kind: str) -> Words:
        return dict(self.sides).get(kind, ())


NONE = TypedWords()


# ---- short typed answers: English, then every language's typed words ------------------------

_CONSENT_YES = {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "i can", "i understand",
                "understood", "agree", "i agree"}
_CONSENT_NO = {"no", "n", "nope", "not yet", "i can't", "i cannot", "cannot", "can't"}
_PARTLY = {"partly", "partially", "a bit", "a little", "some", "sort of", "kind of",
           "a little bit", "not fully", "half", "halfway"}
_SIDES = {"left": "left", "right": "right", "both": "both", "not sure": "unsure",
          "unsure": "unsure", "don't know": "unsure", "dont know": "unsure"}
_SAFETY = {"yes": "yes", "y": "yes", "yeah": "yes", "yep": "yes", "no": "no", "n": "no",
           "nope": "no", "not sure": "unsure", "unsure": "unsure", "don't know": "unsure",
           "dont know": "unsure", "i don't know": "unsure", "maybe": "unsure"}


def normalise_answer(text: str) -> str:
    """A short typed answer as the tables hold it: lower case, single spaces, no end marks."""
    return " ".join(text.lower().replace("’", "'").strip(" .!。！").split())


def set_up_answer(words: str, typed: TypedWords = NONE) -> tuple[bool, bool, bool, str | None]:
    """During set-up: is it yes, no or partly, and which side it names (or "unsure")."""
    side = _SIDES.get(words) or next(
        (kind for kind in ("left", "right", "both") if words in typed.side(kind)),
        "unsure" if words in typed.answer("unsure") else None)
    return (words in _CONSENT_YES or words in typed.answer("yes"),
            words in _CONSENT_NO or words in typed.answer("no"),
            words in _PARTLY or words in typed.answer("partly"), side)


def safety_answer(words: str, typed: TypedWords = NONE) -> str | None:
    """An answer to a safety question: "yes", "no", "unsure" (the safe one), or None."""
    if words in _SAFETY:
        return _SAFETY[words]
    return next((kind for kind in ("unsure", "yes", "no") if words in typed.answer(kind)),
                None)
