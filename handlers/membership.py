"""What Telegram tells the bot about its place in a chat: a person blocked it (sharing pauses
until they come back) or unblocked it; a family group removed it (the link ends) or became a
supergroup (the link follows the new id)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.context import RehabContext
from db.family import end_group, move_group
from db.people import mark_inactive

_GONE = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)  # "kicked" and "left"


async def on_my_chat_member(update: Update, context: RehabContext) -> None:
    change = update.my_chat_member
    if change is None:
        return
    status = change.new_chat_member.status
    services = context.services
    async with services.db.session() as session:
        if change.chat.type == ChatType.PRIVATE:
            if status in _GONE:
                await mark_inactive(session=session, telegram_id=change.chat.id)
            # back again: the update itself made them active (track_person)
        elif status in _GONE:
            await end_group(session=session, chat_id=change.chat.id, now=services.clock.now())


async def on_migrate(update: Update, context: RehabContext) -> None:
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    async with context.services.db.session() as session:
        await move_group(session=session, old_chat_id=message.chat.id,
                         new_chat_id=message.migrate_to_chat_id)
