"""/export sends everything stored about you (a CSV of check-ins, a JSON of the rest); /delete
erases it all after a confirmation, and the people you shared with are told the link ended.
The work is ``bot.flows.privacy``."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.context import RehabContext
from bot.flows import privacy as flow
from handlers.common import button, edit_text, keyboard, lang_of, notify, render, reply

PREFIX = "del:"


async def export_command(update: Update, context: RehabContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    async with context.services.db.session() as session:
        exported = await flow.export(session=session, telegram_id=user.id)
    if exported is None:
        await reply(update, context, "privacy/nothing")
        return
    await context.bot.send_document(chat.id, InputFile(exported.checkins_csv,
                                                       filename="check-ins.csv"))
    await context.bot.send_document(chat.id, InputFile(exported.everything_json,
                                                       filename="rehab-buddy-data.json"),
                                    caption=render(update, context, "privacy/exported",
                                                   rows=exported.rows))


async def delete_command(update: Update, context: RehabContext) -> None:
    await reply(update, context, "privacy/confirm_delete", markup=keyboard(
        [button(update, context, "privacy.delete_yes", f"{PREFIX}yes")],
        [button(update, context, "common.cancel", f"{PREFIX}no")]))


async def on_tap(update: Update, context: RehabContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    services = context.services
    if query.data != f"{PREFIX}yes":
        await query.answer()
        await query.edit_message_text(render(update, context, "privacy/kept"))
        return
    async with services.db.session() as session:
        erased = await flow.erase(session=session, telegram_id=update.effective_user.id)
    services.extras["seen"].forget(update.effective_user.id)
    done = erased is not None and await edit_text(update, render(update, context,
                                                                 "privacy/deleted"))
    if erased is None or not done:  # a double tap: already erased
        await query.answer(services.texts.label("checkin.old", lang_of(update, context)))
        return
    await query.answer()
    for person, template, values in erased.tell:
        await notify(context, person, template, **values)
