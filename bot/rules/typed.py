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
