"""A session card with its picture: a photo with the card's words as its caption (Telegram
allows 1,024 characters there; a longer card goes as text). Later steps of one exercise edit
the caption and buttons; the next exercise swaps the picture in the same message. A card sent
as text (pictures off, or an older card) is edited as text."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, InputMediaPhoto, Message, Update
from telegram.error import BadRequest

from bot.context import RehabContext
from bot.emulator.html import HtmlError, parse, utf16_len
from bot.flows.pictures import Picture, PictureStore
from bot.materials.content_check import CAPTION_LIMIT
from bot.rules.exercises import Exercise
from bot.rules.poses import Pose


def _fits(text: str) -> bool:
    try:
        plain, _ = parse(text)
    except HtmlError:
        return False
    return utf16_len(plain.strip()) <= CAPTION_LIMIT


async def _picture(context: RehabContext, exercise: Exercise | None, side: str | None,
                   text: str) -> Picture | None:
    store: PictureStore | None = context.services.extras.get("pictures")
    if (store is None or exercise is None or not context.services.settings.card_pictures
            or not _fits(text)):
        return None
    return await store.get(exercise, side)


async def _remember(context: RehabContext, picture: Picture, message: Message | bool) -> None:
    if isinstance(message, Message) and message.photo:
        store: PictureStore = context.services.extras["pictures"]
        await store.remember(picture.key, message.photo[-1].file_id)


async def send_card(context: RehabContext, chat_id: int, exercise: Exercise | None,
                    side: str | None, text: str, markup: InlineKeyboardMarkup) -> Message:
    """A new card: its picture with the words under it, or the words alone."""
    picture = await _picture(context, exercise, side, text)
    if picture is None:
        return await context.bot.send_message(chat_id, text, reply_markup=markup)
    message = await context.bot.send_photo(chat_id, picture.file_id or picture.content(),
                                           caption=text, reply_markup=markup)
    await _remember(context, picture, message)
    return message


async def edit_card(update: Update, context: RehabContext, exercise: Exercise | None,
                    side: str | None, text: str, markup: InlineKeyboardMarkup | None, *,
                    new_exercise: bool) -> None:
    """Change the tapped card: the words (and the picture, for the next exercise)."""
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message) or not message.photo:
        await query.edit_message_text(text, reply_markup=markup)
        return
    picture = await _picture(context, exercise, side, text) if new_exercise else None
    if picture is not None:
        edited = await query.edit_message_media(
            InputMediaPhoto(picture.file_id or picture.content(), caption=text),
            reply_markup=markup)
        await _remember(context, picture, edited)
        return
    if not _fits(text):  # too long to be a caption: the words alone, in a new message
        await query.edit_message_reply_markup(None)
        await context.bot.send_message(message.chat.id, text, reply_markup=markup)
        return
    await query.edit_message_caption(caption=text, reply_markup=markup)


async def send_with_picture(context: RehabContext, chat_id: int, name: str,
                            pose: Pose | None, side: str | None, text: str) -> Message:
    """A message that a picture explains (a lesson): the picture with the words as caption,
    or the words alone."""
    store: PictureStore | None = context.services.extras.get("pictures")
    if (store is None or pose is None or not context.services.settings.card_pictures
            or not _fits(text)):
        return await context.bot.send_message(chat_id, text)
    picture = await store.picture(name, pose, side)
    message = await context.bot.send_photo(chat_id, picture.file_id or picture.content(),
                                           caption=text)
    await _remember(context, picture, message)
    return message


async def edit_words(update: Update, text: str) -> None:
    """The closing words on the card, whichever kind it is."""
    query = update.callback_query
    assert query is not None
    message = query.message
    try:
        if isinstance(message, Message) and message.photo:
            await query.edit_message_caption(caption=text, reply_markup=None)
        else:
            await query.edit_message_text(text)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
