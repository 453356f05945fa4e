"""Personal data in free text: one masking function for every text that leaves for a
resident, a group chat or a log, and one cleaning function for every text a person
typed before it is stored or shown on a terminal.

``mask`` hides mobile and landline numbers, ID card numbers, and house and room
numbers ("501室", "3-2-501", "3号楼502", "12号" of a street), keeping enough to recognise them
("138****1234", "***室"). Case numbers (20261127-0001), dates ("27号" after 月) and
buildings and units of an estate ("3号楼2单元") stay: they say where, not who.
"""
from __future__ import annotations

import re
import unicodedata

MOBILE = re.compile(r"(?<![\d*])(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![\d*])")
LANDLINE = re.compile(r"(?<![\d*])(0\d{2,3})[\s-]?(\d{3,4})(\d{4})(?![\d*])")
ID_NUMBER = re.compile(r"(?<![\d*])(\d{4})\d{10}(\d{3}[\dXx])(?![\d*A-Za-z])")
# 3-2-501 / 3栋2-501: the last part is a door.
DOOR_DASHED = re.compile(r"(?<![\d*])(\d{1,3}\s*[-－—]\s*\d{1,3}\s*[-－—]\s*)\d{2,5}(?![\d*])")
ROOM = re.compile(r"(?<![\d*])\d{2,5}(?=\s*(室|房|户|号房))")
# A street's door number ("长安街12号"), not a building ("3号楼"), a date ("11月27号")
# or a case ("工单20261127-0001号").
# A flat written straight after its building or unit ("3号楼502", "2单元1201").
FLAT = re.compile(r"(?:(?<=单元)|(?<=号楼)|(?<=[栋幢]))\s*\d{3,4}(?![\d*]|\s*(号楼|单元|[栋幢层楼]))")
HOUSE = re.compile(r"(?<=[路街巷道弄里村胡同])\s*\d{1,5}(?=\s*号(?![楼院]))")


def mask_phone(phone: str | None) -> str:
    """138****1234; empty for none."""
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else (phone or "")


def mask(text: str | None) -> str:
    """The text with phones, ID numbers and house and room numbers masked."""
    if not text:
        return text or ""
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    text = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)
    text = DOOR_DASHED.sub(lambda m: m.group(1) + "***", text)
    text = ROOM.sub("***", text)
    text = FLAT.sub("***", text)
    return HOUSE.sub("**", text)


ERASED_WORD = "〔已删除〕"


def scrub(text: str | None, *, words: tuple[str, ...] = (), places: dict[str, str] | None = None) -> str:
    """A kept text with one person's identifiers gone: ``words`` (their name, phone)
    replaced, ``places`` (their exact address -> what is kept of it) reduced, and the
    rest masked as ``mask`` does."""
    text = text or ""
    for exact, kept in sorted((places or {}).items(), key=lambda item: -len(item[0])):
        if exact:
            text = text.replace(exact, kept)
    for word in sorted({w for w in words if w and len(w) >= 2}, key=len, reverse=True):
        text = text.replace(word, ERASED_WORD)
    return mask(text)


def clean(text: str | None) -> str:
    """Text that can always be stored and shown: invalid UTF-8 replaced; no NUL, control,
    format or terminal-escape characters (line breaks and tabs stay)."""
    text = (text or "").encode("utf-8", "replace").decode("utf-8", "replace")
    kept = (ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    return "".join(kept).strip()
