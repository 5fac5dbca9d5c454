"""Words about pain, shared by a session and a quick check-in: the regions in a sentence, and
the advice that follows a report (rest it today; the care team when it keeps hurting)."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Update

from bot.context import RehabContext
from bot.flows.session import Pain
from bot.rules.exercises import REGIONS
from handlers.common import lang_of, reply


def region_names(update: Update, context: RehabContext, regions: Iterable[str]) -> str:
    """"shoulder and elbow": body regions as words in a sentence, in body order."""
    label, lang = context.services.texts.label, lang_of(update, context)
    wanted = set(regions)
    names = [label(f"region_name.{r}", lang) for r in REGIONS if r in wanted]
    return label("region_name.joiner", lang).join(names)


async def tell_pain(update: Update, context: RehabContext, pain: Pain, *,
                    rested: int = 0) -> None:
    """The pain advice: rest that region today; the care team if it keeps hurting."""
    await reply(update, context, "session/pain",
                regions=region_names(update, context, pain.regions), rested=rested,
                care_team=bool(pain.care_team), severe=pain.severe,
                care_regions=region_names(update, context, pain.care_team))
