"""What the Telegram side of the bot shows, built once for replies and deliveries alike:
inline keyboards from the codec's buttons, the share-my-phone reply keyboard, and long
text split below Telegram's limit.

Text is sent plain (no parse_mode): a resident's ``<``, ``*`` or ``_`` is shown as typed
and can never break a message.
"""
from __future__ import annotations

from typing import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

MAX_TEXT = 4096  # characters of one message (Telegram counts after parsing; plain text: as is)
ROW_WIDTH = 2  # short titles two to a row; a long one gets its own row
SHORT_TITLE = 8  # characters


def inline_keyboard(buttons: Iterable) -> InlineKeyboardMarkup | None:
    """An inline keyboard of buttons with ``.title`` and ``.data`` (bot.buttons.Button),
    or None when there are none. The data is the codec's callback data as it is."""
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for button in buttons:
        key = InlineKeyboardButton(button.title, callback_data=button.data)
        if len(button.title) > SHORT_TITLE:
            if row:
                rows.append(row)
                row = []
            rows.append([key])
            continue
        row.append(key)
        if len(row) == ROW_WIDTH:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None


def contact_keyboard(title: str, answers: Iterable[str] = ()) -> ReplyKeyboardMarkup:
    """A button that shares the resident's own phone number, with the question's other
    answers (跳过) beside it: pressed, they send their title as text, which the dialogue
    takes as the answer. The client hides the keyboard once it is used."""
    rows = [[KeyboardButton(title, request_contact=True)]]
    others = [KeyboardButton(answer) for answer in answers]
    if others:
        rows.append(others)
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line breaks where there are any
    (else at a space, else hard), none empty; a text within the limit is one piece."""
    text = text if text.strip() else ""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        head, text = text[:cut].rstrip(), text[cut:].lstrip("\n ")
        if head:
            pieces.append(head)
    if text.strip():
        pieces.append(text)
    return pieces
