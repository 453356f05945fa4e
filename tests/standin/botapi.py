"""A stand-in for the Telegram Bot API: a stateful HTTP server on loopback for tests.

It speaks Telegram's wire format (form, multipart, JSON and query-string requests;
`{"ok": true, "result": ...}` or `{"ok": false, "error_code", "description", "parameters"}`
answers) and refuses what Telegram refuses with the texts Telegram's own Bot API server
uses (tdlib/telegram-bot-api, Client.cpp; TDLib for parsing), so a bot under test meets
the errors it will meet in production. Tests drive it through the control API: methods
on `StandIn`, or the same methods as JSON over HTTP at `{root}/control/{name}`.
"""
from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import dataclasses
import inspect
import json
import math
import random
import re
import struct
import threading
import time
import urllib.parse
import zlib
from typing import Any, Callable

import aiohttp
from aiohttp import web

DEFAULT_TOKEN = "123:ABC"
MAX_TEXT = 4096  # characters of a message after entity parsing
MAX_CAPTION = 1024
MAX_RAW_TEXT = 1 << 15  # bytes of `text` before parsing
MAX_CALLBACK_DATA = 64  # bytes of UTF-8, not characters
MAX_CALLBACK_ANSWER = 200
LONG_POLL_MAX = 50  # the Bot API server's cap on getUpdates' timeout, in seconds
GENERAL_TOPIC_ID = 1
DEFAULT_TOPIC_COLOR = 7322096
DELETE_WINDOW = 48 * 3600  # bots delete messages younger than 48 hours only
UPDATE_TYPES = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query",
    "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
    "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
)
# Telegram sends these only to bots that ask for them in allowed_updates.
DEFAULT_UPDATE_TYPES = frozenset(UPDATE_TYPES) - {"chat_member", "message_reaction", "message_reaction_count"}
CHAT_ACTIONS = frozenset({
    "cancel", "typing", "record_video", "upload_video", "record_audio", "record_voice", "upload_audio",
    "upload_voice", "upload_photo", "upload_document", "choose_sticker", "pick_up_location",
    "find_location", "record_video_note", "upload_video_note",
})
SERVICE_KEYS = frozenset({
    "forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
    "migrate_to_chat_id", "migrate_from_chat_id", "new_chat_members", "left_chat_member",
})
CONTENT_KEYS = ("text", "entities", "photo", "caption", "caption_entities", "document", "voice",
                "sticker", "location", "contact")
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message")
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
# Telegram's nginx answers a 502 with an HTML page, not with the Bot API's JSON.
BAD_GATEWAY_PAGE = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
                    "</body>\r\n</html>\r\n")


# ---------------------------------------------------------------------------- errors

class ApiError(Exception):
    """A refused Bot API call: the HTTP status, Telegram's description and its parameters."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class ControlError(ValueError):
    """A control-API call that does not fit the stand-in's state (unknown chat, missing button...)."""


def bad_request(message: str) -> ApiError:
    """400 'Bad Request: ...', cased as the Bot API server cases TDLib's and Telegram's texts:
    an UPPER_CASE code stays as it is, anything else gets a lower-case first letter."""
    if not (len(message) >= 2 and (message[1] == "_" or "A" <= message[1] <= "Z")):
        message = message[:1].lower() + message[1:]
    return ApiError(400, "Bad Request: " + message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "Forbidden: " + message)


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


# ---------------------------------------------------------------------------- requests

@dataclasses.dataclass
class Upload:
    filename: str
    content_type: str
    data: bytes


class Params:
    """A request's arguments as the Bot API server reads them: every value a string, uploads apart.

    JSON bodies are flattened the same way, so a JSON `true` and a form `"true"` read alike."""

    def __init__(self, values: dict[str, str], uploads: dict[str, Upload] | None = None):
        self.values = values
        self.uploads = uploads or {}

    @classmethod
    async def read(cls, request: web.Request) -> Params:
        values = dict(request.query)
        uploads: dict[str, Upload] = {}
        if request.body_exists and request.content_type == "application/json":
            values.update(_flatten_json_body(await request.read()))
        elif request.body_exists and request.content_type in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    with value.file:
                        uploads[key] = Upload(value.filename or key, value.content_type, value.file.read())
                else:
                    values[key] = value
        return cls(values, uploads)

    def text(self, name: str) -> str:
        return self.values.get(name, "")

    def has(self, name: str) -> bool:
        return self.values.get(name, "") != ""

    def integer(self, name: str, default: int = 0) -> int:
        raw = self.values.get(name, "")
        return default if raw == "" else leading_int(raw)

    def flag(self, name: str) -> bool:
        return self.values.get(name, "").strip().lower() in ("true", "yes", "1")

    def json(self, name: str, error: str) -> Any:
        raw = self.text(name)
        if raw == "":
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_request(error) from None

    def upload(self, name: str) -> Upload | None:
        """The file sent for `name`: a part of that name, or the part an attach://<part> names."""
        raw = self.text(name)
        if raw.startswith("attach://"):
            return self.uploads.get(raw[len("attach://"):])
        return None if raw else self.uploads.get(name)

    def logged(self) -> dict:
        logged: dict[str, Any] = dict(self.values)
        for name, upload in self.uploads.items():
            logged[name] = f"<upload {upload.filename}, {len(upload.data)} bytes>"
        return logged


def _flatten_json_body(raw: bytes) -> dict[str, str]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise bad_request("can't parse JSON encoded request") from None  # unverified text
    if not isinstance(body, dict):
        raise bad_request("can't parse JSON encoded request")
    return {key: _as_arg(value) for key, value in body.items() if value is not None}


def _as_arg(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def leading_int(raw: str) -> int:
    """An integer read as the Bot API server reads one: its leading digits, else 0."""
    match = re.match(r"-?\d+", raw.strip())
    return int(match.group()) if match else 0


# ---------------------------------------------------------------------------- text formatting

class ParseError(Exception):
    """Markup TDLib refuses; the message is TDLib's."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Out:
    """Parsed text being built, with its length in UTF-16 code units (entity offsets count those)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.utf16 = 0

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.utf16 += utf16_len(chunk)

    def since(self, mark: int) -> str:
        return "".join(self.parts[mark:])

    def text(self) -> str:
        return "".join(self.parts)


@dataclasses.dataclass
class _Open:
    """An entity whose end the parser has not reached yet."""
    kind: str
    argument: str
    start: int  # UTF-16 offset in the parsed text
    mark: int  # index into _Out.parts, to read the entity's own text
    byte: int = 0  # where it began in the markup, for error messages


def check_url(url: str) -> str | None:
    """A link as Telegram keeps it (http:// added, '/' after a bare host), or None if Telegram
    would not take it for a link ('localhost', no dot in the host, an unknown scheme)."""
    url = url.strip()
    if not url:
        return None
    if "://" not in url and not url.startswith("tg:"):
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("tg", "ton", "tonsite"):
        return url
    if scheme not in ("http", "https") or "." not in (parts.hostname or ""):
        return None
    if not parts.path:
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/", parts.query, parts.fragment))
    return url


def _user_link_id(url: str) -> int:
    match = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
    return int(match.group(1)) if match else 0


def _link_entity(url: str, start: int, length: int, users: Callable[[int], dict]) -> dict | None:
    user_id = _user_link_id(url)
    if user_id:
        return {"type": "text_mention", "offset": start, "length": length, "user": users(user_id)}
    checked = check_url(url)
    if checked is None:
        return None  # TDLib drops a link it cannot read and keeps the text
    return {"type": "text_link", "offset": start, "length": length, "url": checked}


def _sorted_entities(entities: list[dict]) -> list[dict]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# ---- HTML (TDLib's parse_html)

_HTML_SIMPLE = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
                "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
                "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler"}
_HTML_TAGS = frozenset(_HTML_SIMPLE) | {"a", "code", "pre", "blockquote", "tg-emoji"}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(#x[0-9a-fA-F]*|#[0-9]*|[A-Za-z]*)")
_HTML_SPACE = " \t\r\n\v\f"


def _html_char(text: str, i: int) -> tuple[str, int] | None:
    """The character an HTML entity at text[i] stands for and where it ends, or None:
    TDLib keeps an '&' that starts no entity it knows as a plain '&'."""
    match = _HTML_ENTITY.match(text, i)
    body, end = match.group(1), match.end()
    if body.startswith("#"):
        digits = body[2:] if body.startswith("#x") else body[1:]
        code = int(digits or "0", 16 if body.startswith("#x") else 10)
        if code == 0 or code >= 0x10FFFF or end - i >= 10 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    elif body in _HTML_NAMED:
        char = _HTML_NAMED[body]
    else:
        return None
    if end < len(text) and text[end] == ";":
        end += 1
    return char, end


def parse_html(text: str, users: Callable[[int], dict]) -> tuple[str, list[dict]]:
    out, entities, stack = _Out(), [], []
    i = 0
    while i < len(text):
        special = re.compile(r"[<&]").search(text, i)
        stop = special.start() if special else len(text)
        if stop > i:
            out.add(text[i:stop])
            i = stop
            continue
        if text[i] == "&":
            decoded = _html_char(text, i)
            out.add(decoded[0] if decoded else "&")
            i = decoded[1] if decoded else i + 1
        elif i + 1 < len(text) and text[i + 1] == "/":
            i = _html_end_tag(text, i, stack, entities, out, users)
        else:
            i = _html_start_tag(text, i, stack, out)
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].kind}"')
    for entity in entities:
        entity.pop("_language", None)
    return out.text(), _sorted_entities(entities)


def _skip_spaces(text: str, j: int) -> int:
    while j < len(text) and text[j] in _HTML_SPACE:
        j += 1
    return j


def _html_start_tag(text: str, begin: int, stack: list[_Open], out: _Out) -> int:
    at = byte_offset(text, begin)
    j = begin + 1
    while j < len(text) and text[j] not in _HTML_SPACE and text[j] != ">":
        j += 1
    if j >= len(text):
        raise ParseError(f"Unclosed start tag at byte offset {at}")
    tag = text[begin + 1:j].lower()
    if tag not in _HTML_TAGS:
        raise ParseError(f'Unsupported start tag "{tag}" at byte offset {at}')
    attributes, j = _html_attributes(text, j, tag, at)
    stack.append(_Open(tag, _html_argument(tag, attributes, at), out.utf16, len(out.parts), at))
    return j + 1


def _html_attributes(text: str, j: int, tag: str, at: int) -> tuple[dict[str, str], int]:
    """The attributes of a start tag and the index of its closing '>'."""
    attributes: dict[str, str] = {}
    while True:
        j = _skip_spaces(text, j)
        if j >= len(text):
            raise ParseError(f"Unclosed start tag at byte offset {at}")
        if text[j] == ">":
            return attributes, j
        name_start = j
        while j < len(text) and text[j] not in _HTML_SPACE and text[j] not in "=>":
            j += 1
        name = text[name_start:j]
        if not name:
            raise ParseError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
        j = _skip_spaces(text, j)
        if j < len(text) and text[j] != "=" and tag == "blockquote" and name == "expandable":
            attributes[name] = ""
            continue
        if j >= len(text) or text[j] != "=":
            raise ParseError(f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                             f"at byte offset {at}")
        j = _skip_spaces(text, j + 1)
        if j >= len(text):
            raise ParseError(f'Unclosed start tag "{tag}" at byte offset {at}')
        value, j = _html_attribute_value(text, j)
        if j >= len(text):
            raise ParseError(f"Unclosed start tag at byte offset {at}")
        attributes[name] = value


def _html_attribute_value(text: str, j: int) -> tuple[str, int]:
    if text[j] in "'\"":
        quote, chars = text[j], []
        j += 1
        while j < len(text) and text[j] != quote:
            decoded = _html_char(text, j) if text[j] == "&" else None
            chars.append(decoded[0] if decoded else text[j])
            j = decoded[1] if decoded else j + 1
        return "".join(chars), j + 1 if j < len(text) else j
    token_start = j
    while j < len(text) and (text[j].isalnum() or text[j] in ".-"):
        j += 1
    if j < len(text) and text[j] not in _HTML_SPACE and text[j] != ">":
        raise ParseError(f"Unexpected end of name token at byte offset {byte_offset(text, token_start)}")
    return text[token_start:j].lower(), j


def _html_argument(tag: str, attributes: dict[str, str], at: int) -> str:
    if tag == "a":
        return attributes.get("href", "")
    if tag == "code":
        language = attributes.get("class", "")
        return language[len("language-"):] if language.startswith("language-") else ""
    if tag == "span":
        if attributes.get("class") != "tg-spoiler":
            raise ParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
        return ""
    if tag == "tg-emoji":
        return attributes.get("emoji-id", "")
    if tag == "blockquote":
        return "expandable" if "expandable" in attributes else ""
    return ""


def _html_end_tag(text: str, begin: int, stack: list[_Open], entities: list[dict], out: _Out,
                  users: Callable[[int], dict]) -> int:
    at = byte_offset(text, begin)
    if not stack:
        raise ParseError(f"Unexpected end tag at byte offset {at}")
    j = begin + 2
    while j < len(text) and text[j] not in _HTML_SPACE and text[j] != ">":
        j += 1
    name = text[begin + 2:j]
    j = _skip_spaces(text, j)
    if j >= len(text) or text[j] != ">":
        raise ParseError(f"Unclosed end tag at byte offset {at}")
    opened = stack.pop()
    if name and name != opened.kind:
        raise ParseError(f'Unmatched end tag at byte offset {at}, expected "</{opened.kind}>", '
                         f'found "</{name}>"')
    if out.utf16 > opened.start:
        _close_html_entity(opened, out, entities, users)
    return j + 1


def _close_html_entity(opened: _Open, out: _Out, entities: list[dict], users: Callable[[int], dict]) -> None:
    start, length = opened.start, out.utf16 - opened.start
    last = entities[-1] if entities else None
    same_range = last is not None and last["offset"] == start and last["length"] == length
    if opened.kind == "a":
        entity = _link_entity(opened.argument or out.since(opened.mark), start, length, users)
        if entity:
            entities.append(entity)
    elif opened.kind == "pre" and same_range and last["type"] == "code" and last.get("_language"):
        last.update(type="pre", language=last.pop("_language"))  # <pre><code class="language-x">
    elif opened.kind == "pre":
        entities.append({"type": "pre", "offset": start, "length": length})
    elif opened.kind == "code" and same_range and last["type"] == "pre" and opened.argument:
        last["language"] = opened.argument  # <code class="language-x"><pre>
    elif opened.kind == "code":
        entity = {"type": "code", "offset": start, "length": length}
        if opened.argument:
            entity["_language"] = opened.argument
        entities.append(entity)
    elif opened.kind == "tg-emoji":
        entities.append({"type": "custom_emoji", "offset": start, "length": length,
                         "custom_emoji_id": opened.argument})
    elif opened.kind == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        entities.append({"type": kind, "offset": start, "length": length})
    else:
        entities.append({"type": _HTML_SIMPLE[opened.kind], "offset": start, "length": length})


# ---- MarkdownV2 (TDLib's parse_markdown_v2)

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {"bold": "Bold", "italic": "Italic", "underline": "Underline",
               "strikethrough": "Strikethrough", "spoiler": "Spoiler", "code": "Code", "pre": "Pre",
               "text_link": "TextUrl", "custom_emoji": "CustomEmoji"}


def parse_markdown_v2(text: str, users: Callable[[int], dict]) -> tuple[str, list[dict]]:
    out, entities, stack = _Out(), [], []
    quote_start: int | None = None  # UTF-16 offset of an open '>' blockquote
    i = 0
    while i < len(text):
        char = text[i]
        in_code = bool(stack) and stack[-1].kind in ("code", "pre")
        if (i == 0 or text[i - 1] == "\n") and not in_code:
            quote_start = _mdv2_quote_line(text, i, out, entities, quote_start)
            if char == ">":
                i += 1
                continue
        if char == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        if char not in ("`" if in_code else _MDV2_RESERVED):
            out.add(char)
            i += 1
        elif stack and _mdv2_ends(stack[-1].kind, text, i):
            i = _mdv2_close(text, i, stack.pop(), out, entities, users)
        else:
            i = _mdv2_open(text, i, stack, out)
    if stack:
        opened = stack[-1]
        name = "PreCode" if opened.kind == "pre" and opened.argument else _MDV2_NAMES[opened.kind]
        raise ParseError(f"Can't find end of {name} entity at byte offset {opened.byte}")
    _mdv2_end_quote(out, entities, quote_start, out.utf16)
    return out.text(), _sorted_entities(entities)


def _mdv2_quote_line(text: str, i: int, out: _Out, entities: list[dict],
                     quote_start: int | None) -> int | None:
    """At a line start: open a blockquote on '>', close the open one on any other line."""
    if text[i] == ">":
        return out.utf16 if quote_start is None else quote_start
    if quote_start is not None:
        _mdv2_end_quote(out, entities, quote_start, out.utf16 - 1)  # the quote ends before the '\n'
    return None


def _mdv2_end_quote(out: _Out, entities: list[dict], start: int | None, end: int) -> None:
    if start is not None and end > start:
        entities.append({"type": "blockquote", "offset": start, "length": end - start})


def _mdv2_ends(kind: str, text: str, i: int) -> bool:
    char, following = text[i], text[i + 1:i + 2]
    return {
        "bold": char == "*",
        "italic": char == "_" and following != "_",
        "underline": char == "_" and following == "_",
        "strikethrough": char == "~",
        "spoiler": char == "|" and following == "|",
        "code": char == "`",
        "pre": text.startswith("```", i),
        "text_link": char == "]",
        "custom_emoji": char == "]",
    }[kind]


def _mdv2_open(text: str, i: int, stack: list[_Open], out: _Out) -> int:
    char, following = text[i], text[i + 1:i + 2]
    at = byte_offset(text, i)
    argument = ""
    if char == "_":
        kind, width = ("underline", 2) if following == "_" else ("italic", 1)
    elif char == "*":
        kind, width = "bold", 1
    elif char == "~":
        kind, width = "strikethrough", 1
    elif char == "|" and following == "|":
        kind, width = "spoiler", 2
    elif char == "[":
        kind, width = "text_link", 1
    elif char == "!" and following == "[":
        kind, width = "custom_emoji", 2
    elif char == "`" and text.startswith("```", i):
        kind = "pre"
        argument, width = _mdv2_pre_header(text, i + 3)
        width -= i
    elif char == "`":
        kind, width = "code", 1
    else:
        raise ParseError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
    stack.append(_Open(kind, argument, out.utf16, len(out.parts), at))
    return i + width


def _mdv2_pre_header(text: str, j: int) -> tuple[str, int]:
    """A ``` block's language and where its text starts (one line break after it is skipped)."""
    language_end = j
    while language_end < len(text) and not text[language_end].isspace() and text[language_end] != "`":
        language_end += 1
    language = ""
    if language_end != j and language_end < len(text) and text[language_end] != "`":
        language, j = text[j:language_end], language_end
    if text[j:j + 1] in ("\n", "\r"):
        j += 2 if text[j + 1:j + 2] in ("\n", "\r") and text[j + 1] != text[j] else 1
    return language, j


def _mdv2_close(text: str, i: int, opened: _Open, out: _Out, entities: list[dict],
                users: Callable[[int], dict]) -> int:
    start, length = opened.start, out.utf16 - opened.start
    width = {"underline": 2, "spoiler": 2, "pre": 3}.get(opened.kind, 1)
    entity: dict | None = {"type": opened.kind, "offset": start, "length": length}
    if opened.kind == "pre" and opened.argument:
        entity["language"] = opened.argument
    if opened.kind in ("text_link", "custom_emoji"):
        url, after = _mdv2_url(text, i + 1, out.since(opened.mark))
        width = after - i
        entity = _mdv2_link_entity(opened.kind, url, start, length, users)
    if entity and length > 0:
        entities.append(entity)
    return i + width


def _mdv2_url(text: str, j: int, inner: str) -> tuple[str, int]:
    """The (url) after '[text]' and where it ends; the text itself when no '(' follows."""
    if text[j:j + 1] != "(":
        return inner, j
    j += 1
    url_start, chars = j, []
    while j < len(text) and text[j] != ")":
        if text[j] == "\\" and j + 1 < len(text) and 0 < ord(text[j + 1]) <= 126:
            chars.append(text[j + 1])
            j += 2
        else:
            chars.append(text[j])
            j += 1
    if j >= len(text):
        raise ParseError(f"Can't find end of a URL at byte offset {byte_offset(text, url_start)}")
    return "".join(chars), j + 1


def _mdv2_link_entity(kind: str, url: str, start: int, length: int,
                      users: Callable[[int], dict]) -> dict | None:
    if kind == "text_link":
        return _link_entity(url, start, length, users)
    match = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
    if not match:
        raise ParseError("Custom emoji entity must contain a tg://emoji URL")
    return {"type": "custom_emoji", "offset": start, "length": length, "custom_emoji_id": match.group(1)}


# ---- legacy Markdown (TDLib's parse_markdown)

def parse_markdown(text: str, users: Callable[[int], dict]) -> tuple[str, list[dict]]:
    out, entities = _Out(), []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and text[i + 1:i + 2] in ("_", "*", "`", "["):
            out.add(text[i + 1])
            i += 2
        elif char not in "_*`[":
            out.add(char)
            i += 1
        else:
            i = _markdown_entity(text, i, out, entities, users)
    return out.text(), _sorted_entities(entities)


def _markdown_entity(text: str, i: int, out: _Out, entities: list[dict], users: Callable[[int], dict]) -> int:
    at, start = byte_offset(text, i), out.utf16
    char, language = text[i], ""
    if text.startswith("```", i):
        language, body_start = _mdv2_pre_header(text, i + 3)
        end_mark = "```"
    else:
        body_start, end_mark = i + 1, "]" if char == "[" else char
    end = text.find(end_mark, body_start)
    if end < 0:
        raise ParseError(f"Can't find end of the entity starting at byte offset {at}")
    out.add(text[body_start:end])
    length, after = out.utf16 - start, end + len(end_mark)
    if char == "[":
        url, after = _mdv2_url(text, after, text[body_start:end])
        entity = _link_entity(url, start, length, users)
    else:
        kind = {"*": "bold", "_": "italic", "`": "pre" if end_mark == "```" else "code"}[char]
        entity = {"type": kind, "offset": start, "length": length}
        if language:
            entity["language"] = language
    if entity and length > 0:
        entities.append(entity)
    return after


# ---- what Telegram does with any text: explicit entities, cleaning, entities it finds itself

_ENTITY_TYPES = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre",
                           "text_link", "text_mention", "custom_emoji", "blockquote",
                           "expandable_blockquote", "date_time"})
# Telegram finds these itself and ignores them when a bot sends them.
_FOUND_TYPES = frozenset({"mention", "hashtag", "cashtag", "bot_command", "url", "email",
                          "phone_number", "bank_card_number"})
_BLANK = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u2800\u3164\u115f\u1160")


def explicit_entities(raw: str, users: Callable[[int], dict]) -> list[dict]:
    """A send's `entities` as the Bot API server reads them."""
    if raw == "":
        return []
    try:
        values = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse entities JSON object") from None
    if not isinstance(values, list):
        return []
    entities = []
    for value in values:
        entity = _explicit_entity(value, users)
        if entity:
            entities.append(entity)
    return _sorted_entities(entities)


def _explicit_entity(value: Any, users: Callable[[int], dict]) -> dict | None:
    def fail(reason: str) -> ApiError:
        return bad_request("can't parse MessageEntity: " + reason)

    if not isinstance(value, dict):
        raise fail("expected an Object")
    for field in ("offset", "length"):
        if field not in value:
            raise fail(f'Can\'t find field "{field}"')
        if not isinstance(value[field], int) or isinstance(value[field], bool):
            raise fail(f'Field "{field}" must be of type Number')
    kind = value.get("type", "")
    if kind in _FOUND_TYPES:
        return None
    if kind not in _ENTITY_TYPES:
        raise fail("Unsupported type specified")
    entity = {key: value[key] for key in ("type", "offset", "length", "url", "language", "custom_emoji_id")
              if key in value}
    if kind == "text_mention":
        entity["user"] = users(int(value.get("user", {}).get("id", 0)))
    return entity


def clean_text(text: str, entities: list[dict]) -> tuple[str, list[dict]]:
    """Text as Telegram keeps it: '\\r' dropped, other control characters made spaces, spaces and
    line breaks trimmed at both ends (at the start only up to the first entity); entities follow."""
    kept, new_at = [], []  # new_at[i]: the new UTF-16 offset of old UTF-16 offset i
    position = 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        new_at.extend([position] * width)
        if char == "\r":
            continue
        if ord(char) < 32 and char not in "\n\t":
            char = " "
        kept.append(char)
        position += width
    new_at.append(position)
    text = "".join(kept)
    moved = [dict(e, offset=new_at[e["offset"]],
                  length=new_at[e["offset"] + e["length"]] - new_at[e["offset"]])
             for e in _clip(entities, len(new_at) - 1)]
    lead = len(text) - len(text.lstrip(" \n"))
    if moved:
        lead = min(lead, min(e["offset"] for e in moved))
    text = text[lead:].rstrip(" \n")
    return text, _clip([dict(e, offset=e["offset"] - lead) for e in moved], utf16_len(text))


def _clip(entities: list[dict], size: int) -> list[dict]:
    """Entities cut to the text's range; empty ones dropped."""
    clipped = []
    for entity in entities:
        start = max(entity["offset"], 0)
        end = min(entity["offset"] + entity["length"], size)
        if end > start:
            clipped.append(dict(entity, offset=start, length=end - start))
    return clipped


def is_blank(text: str) -> bool:
    return all(char.isspace() or char in _BLANK for char in text)


_FOUND_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])",
                               re.ASCII)),
    ("email", re.compile(r"(?<![\w.])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+", re.ASCII)),
    # Without a scheme Telegram takes a link only with a top-level domain it knows.
    ("url", re.compile(r"(?<![\w@.])(?:https?://[^\s<>\"]+|(?:www\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                       r"\.(?:com|net|org|cn|io|dev|me|info|app|gov|edu|ru|uk|de)(?:/[^\s<>\"]*)?)(?![\w@])",
                       re.ASCII)),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@.])", re.ASCII)),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)


def found_entities(text: str, given: list[dict]) -> list[dict]:
    """Entities Telegram finds by itself (commands, links, e-mail, mentions, hashtags), leaving
    out those that overlap code, pre and links the text already has."""
    taken = [(e["offset"], e["offset"] + e["length"]) for e in given
             if e["type"] in ("code", "pre", "text_link", "text_mention")]
    found: list[dict] = []
    for kind, pattern in _FOUND_PATTERNS:
        for match in pattern.finditer(text):
            start = utf16_len(text[:match.start()])
            end = start + utf16_len(match.group())
            spans = taken + [(f["offset"], f["offset"] + f["length"]) for f in found]
            if all(end <= a or start >= b for a, b in spans):
                found.append({"type": kind, "offset": start, "length": end - start})
    return _sorted_entities(given + found)


def parse_text(raw: str, parse_mode: str, entities_raw: str,
               users: Callable[[int], dict]) -> tuple[str, list[dict]]:
    """Text and entities from a request's markup, refused as the Bot API server refuses them."""
    if len(raw.encode("utf-8")) > MAX_RAW_TEXT:
        raise bad_request("text is too long")
    mode = parse_mode.lower()
    if raw and mode and mode != "none":
        parser = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}.get(mode)
        if parser is None:
            raise bad_request("unsupported parse_mode")
        try:
            return parser(raw, users)
        except ParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    return raw, explicit_entities(entities_raw, users)


def final_text(text: str, entities: list[dict], limit: int, too_long: str, *,
               required: bool) -> tuple[str, list[dict]]:
    """Cleaned text with the entities Telegram adds, checked for emptiness and length. Telegram
    counts the limit in characters (code points), after parsing."""
    text, entities = clean_text(text, entities)
    if is_blank(text):
        if required:
            raise bad_request("text must be non-empty")
        return "", []
    if len(text) > limit:
        raise bad_request(too_long)
    return text, found_entities(text, entities)


# ---------------------------------------------------------------------------- reply markup

_INLINE_ACTIONS = ("url", "callback_data", "callback_game", "pay", "switch_inline_query",
                   "switch_inline_query_chosen_chat", "switch_inline_query_current_chat", "login_url",
                   "web_app", "copy_text")
_KEYBOARD_FLAGS = ("is_persistent", "resize_keyboard", "one_time_keyboard", "selective")
_KEYBOARD_REQUESTS = ("request_location", "request_poll", "request_users", "request_chat", "web_app")


def parse_reply_markup(raw: str) -> dict | None:
    """reply_markup as the Bot API server reads it: a reply keyboard wins over an inline keyboard,
    then remove_keyboard, then force_reply; a markup with none of them is no markup."""
    if raw == "":
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(value, dict):
        raise bad_request("object expected as reply markup")
    rows = _button_rows(value, "keyboard", 'Field "keyboard" must be an Array of Arrays',
                        _keyboard_button, "Can't parse keyboard button: ")
    inline_rows = _button_rows(value, "inline_keyboard",
                               'Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
                               _inline_button, "Can't parse inline keyboard button: ")
    flags = {name: _bool_field(value, name)
             for name in (*_KEYBOARD_FLAGS, "remove_keyboard", "hide_keyboard", "force_reply")}
    placeholder = value.get("input_field_placeholder")
    extra = {"input_field_placeholder": placeholder} if isinstance(placeholder, str) and placeholder else {}
    selective = {"selective": True} if flags["selective"] else {}
    if rows:
        return {"keyboard": rows, **{name: True for name in _KEYBOARD_FLAGS if flags[name]}, **extra}
    if inline_rows:
        return {"inline_keyboard": inline_rows}
    if flags["remove_keyboard"] or flags["hide_keyboard"]:
        return {"remove_keyboard": True, **selective}
    if flags["force_reply"]:
        return {"force_reply": True, **selective, **extra}
    return None


def _bool_field(value: dict, name: str) -> bool:
    if name in value and not isinstance(value[name], bool):
        raise bad_request(f'Field "{name}" must be of type Boolean')
    return bool(value.get(name))


def _button_rows(value: dict, field: str, rows_error: str, read: Callable[[Any], dict], prefix: str) -> list:
    rows = value.get(field)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise bad_request(f'Field "{field}" must be of type Array')
    if not all(isinstance(row, list) for row in rows):
        raise bad_request(rows_error)
    try:
        return [[read(button) for button in row] for row in rows if row]
    except ParseError as error:
        raise bad_request(prefix + str(error)) from None


def _button_text(button: dict) -> str:
    if "text" not in button:
        raise ParseError('Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise ParseError('Field "text" must be of type String')
    return button["text"]


def _keyboard_button(button: Any) -> dict:
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict):
        raise ParseError("KeyboardButton must be a String or an Object")
    read = {"text": _button_text(button)}
    if button.get("request_contact") or button.get("request_phone_number"):
        read["request_contact"] = True
    read.update({key: button[key] for key in _KEYBOARD_REQUESTS if button.get(key)})
    return read


def _inline_button(button: Any) -> dict:
    """An inline button with its text and the one action Telegram reads first."""
    if not isinstance(button, dict):
        raise ParseError("InlineKeyboardButton must be an Object")
    read = {"text": _button_text(button)}
    read.update({key: button[key] for key in ("icon_custom_emoji_id", "style") if button.get(key)})
    for action in _INLINE_ACTIONS:
        if action in ("url", "callback_data") and not button.get(action):
            continue
        if action in button:
            read[action] = button[action]
            return read
    raise ParseError("Text buttons are unallowed in the inline keyboard")


def check_buttons(markup: dict | None) -> None:
    """What Telegram's servers (not the Bot API server) check once the chat is known."""
    for row in (markup or {}).get("inline_keyboard", ()):
        for button in row:
            data = button.get("callback_data")
            if isinstance(data, str) and len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if isinstance(url, str) and check_url(url) is None:
                raise bad_request("BUTTON_URL_INVALID")


def inline_buttons(markup: dict | None) -> list[dict]:
    return [button for row in (markup or {}).get("inline_keyboard", ()) for button in row]


# ---------------------------------------------------------------------------- files

def tiny_png(width: int = 1, height: int = 1) -> bytes:
    """A valid PNG of the given size (black), for photos in tests."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height read from a PNG, GIF or JPEG header; None for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2:at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    return None


def _photo_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram makes of a photo: thumbnails up to 90, 320, 800 and 1280 pixels on the
    longer side, and the photo itself fitted into 2560x2560."""
    longest = max(width, height, 1)
    sizes = []
    for limit in (90, 320, 800, 1280, 2560):
        scale = min(1.0, limit / longest)
        sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
        if scale == 1.0:
            break
    return sizes


@dataclasses.dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photo, document, voice or sticker
    data: bytes
    path: str
    info: dict  # the fields of its Bot API object besides ids and size
    group: list[str] = dataclasses.field(default_factory=list)  # a photo's sizes, smallest first

    def json(self) -> dict:
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, **self.info,
                "file_size": len(self.data)}


_FILE_DIRS = {  # kind: getFile's directory, the extension, how Telegram's file ids of the kind begin
    "photo": ("photos", "jpg", "AgACAgIAAxkBAAI"), "document": ("documents", "bin", "BQACAgIAAxkBAAI"),
    "voice": ("voice", "oga", "AwACAgIAAxkBAAI"), "sticker": ("stickers", "webp", "CAACAgIAAxkBAAI"),
}


# ---------------------------------------------------------------------------- faults and flood limits

FAULT_KINDS = ("retry_after", "server_error", "bad_gateway", "timeout")


@dataclasses.dataclass(frozen=True)
class Fault:
    """One failure to answer a call with.

    retry_after: 429 with parameters.retry_after. server_error: 500. bad_gateway: 502 with the
    proxy's HTML page. timeout: the request is held `hang` seconds (set it longer than the client's
    timeout), then the connection is dropped without an answer. deliver: carry the call out first,
    as when Telegram sent a message but its answer was lost; never so for a 429."""
    kind: str
    retry_after: int = 1
    deliver: bool = False
    hang: float = 10.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ControlError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {self.kind!r}")
        if self.kind == "retry_after" and self.deliver:
            raise ControlError("a 429 means the call was not carried out, so it cannot deliver")


class Faults:
    """Faults queued per method ('*': any method), then faults drawn with a seeded generator."""

    def __init__(self, seed: int):
        self.queued: dict[str, collections.deque[Fault]] = collections.defaultdict(collections.deque)
        self.rates: dict[str, list[tuple[float, Fault]]] = collections.defaultdict(list)
        self.random = random.Random(seed)

    def pick(self, method: str) -> Fault | None:
        keys = (method.lower(), "*")
        for key in keys:
            if self.queued.get(key):
                return self.queued[key].popleft()
        for key in keys:
            for probability, fault in self.rates.get(key, ()):
                if self.random.random() < probability:
                    return fault
        return None


@dataclasses.dataclass
class RateLimits:
    """Telegram's flood limits (Bots FAQ): messages per private chat per second, per group per
    minute (edits count there too), and overall per second. The FAQ allows "short bursts" over
    the per-chat limit without saying how long: modelled as a burst of ``private_burst``
    messages, then ``private_per_second`` on average (a GCRA: the chat's theoretical time of
    the next message moves on one interval per message)."""
    private_per_second: int = 1
    private_burst: int = 3
    group_per_minute: int = 20
    overall_per_second: int = 30


class RateWatch:
    """Sliding windows of what the bot sent, to tell when a send breaks a flood limit."""

    def __init__(self, limits: RateLimits):
        self.limits = limits
        self.sent: dict[int, collections.deque[float]] = collections.defaultdict(collections.deque)
        self.due: dict[int, float] = {}  # private chats: theoretical time of the next message
        self.overall: collections.deque[float] = collections.deque()

    def breach(self, chat: Chat, now: float, edit: bool) -> tuple[str, int] | None:
        """The rule a send (or an edit) would break now and the seconds until it would not."""
        if edit and chat.type == "private":
            return None
        if chat.type == "private":
            interval = 1.0 / self.limits.private_per_second
            allowed_from = self.due.get(chat.id, now) - (max(1, self.limits.private_burst) - 1) * interval
            if now < allowed_from:
                return "private_per_second", _wait(allowed_from - now)
        else:
            recent = _recent(self.sent[chat.id], now, 60.0)
            if len(recent) >= self.limits.group_per_minute:
                return "group_per_minute", _wait(recent[0] + 60.0 - now)
        overall = _recent(self.overall, now, 1.0)
        if not edit and len(overall) >= self.limits.overall_per_second:
            return "overall_per_second", _wait(overall[0] + 1.0 - now)
        return None

    def record(self, chat: Chat, now: float, edit: bool) -> None:
        if edit and chat.type == "private":
            return
        if chat.type == "private":
            self.due[chat.id] = max(self.due.get(chat.id, now), now) + 1.0 / self.limits.private_per_second
        else:
            self.sent[chat.id].append(now)
        if not edit:
            self.overall.append(now)


def _recent(times: collections.deque[float], now: float, window: float) -> collections.deque[float]:
    while times and times[0] <= now - window:
        times.popleft()
    return times


def _wait(seconds: float) -> int:
    return max(1, math.ceil(seconds))


# ---------------------------------------------------------------------------- state

@dataclasses.dataclass
class Topic:
    chat_id: int
    thread_id: int
    name: str
    icon_color: int
    creator_id: int
    icon_custom_emoji_id: str = ""
    closed: bool = False
    deleted_by: str = ""  # "bot" or "staff" once deleted

    def json(self) -> dict:
        topic = {"message_thread_id": self.thread_id, "name": self.name, "icon_color": self.icon_color}
        if self.icon_custom_emoji_id:
            topic["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return topic


@dataclasses.dataclass
class Record:
    """A message as the stand-in keeps it: the Bot API object, kept current, and what tests need."""
    message: dict
    sender: str  # "bot", "user" or "service"
    markup: dict | None = None  # the reply_markup it was sent or last edited with, of any kind
    versions: list[dict] = dataclasses.field(default_factory=list)  # earlier states, oldest first
    deleted: bool = False
    seen: bool = False  # whether the bot got an update for it


@dataclasses.dataclass
class Chat:
    id: int
    type: str  # private, group, supergroup or channel
    title: str = ""
    username: str = ""
    is_forum: bool = False
    user: dict | None = None  # the other party of a private chat
    messages: dict[int, Record] = dataclasses.field(default_factory=dict)
    topics: dict[int, Topic] = dataclasses.field(default_factory=dict)
    members: dict[int, dict] = dataclasses.field(default_factory=dict)  # user id -> status and rights
    last_message_id: int = 1  # supergroups and channels: message 1 created the chat
    reply_keyboard: dict | None = None
    migrated_to: int = 0
    actions: list[dict] = dataclasses.field(default_factory=list)

    def json(self) -> dict:
        if self.type == "private":
            chat = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
            chat.update({key: self.user[key] for key in ("last_name", "username") if key in self.user})
            return chat
        chat = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def kind(self) -> str:
        return {"group": "group chat", "supergroup": "supergroup chat", "channel": "channel chat"}[self.type]


@dataclasses.dataclass
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    pressed_at: float  # time.monotonic()
    answered: bool = False


ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
                "can_edit_stories", "can_delete_stories", "can_post_messages", "can_edit_messages",
                "can_pin_messages", "can_manage_topics")
MEMBER_STATUSES = ("creator", "administrator", "member", "left", "kicked")


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _without_reply(message: dict) -> dict:
    return {key: value for key, value in message.items() if key != "reply_to_message"}


def _is_service(message: dict) -> bool:
    return any(key in message for key in SERVICE_KEYS)


def _content_bytes(content: bytes | str | None, default: bytes) -> bytes:
    """Bytes given from Python, or base64 text given over the HTTP control API."""
    if content is None:
        return default
    return content if isinstance(content, bytes) else base64.b64decode(content)


class _Described:
    """A result Telegram answers with a description beside it (setWebhook, deleteWebhook)."""

    def __init__(self, result: Any, description: str):
        self.result = result
        self.description = description


class _Signal:
    """Wakes every waiter on each notify: an Event renewed per notification."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)


TERMINATED_BY_POLL = ("Conflict: terminated by other getUpdates request; "
                      "make sure that only one bot instance is running")
WEBHOOK_ACTIVE = ("Conflict: can't use getUpdates method while webhook is active; "
                  "use deleteWebhook to delete the webhook first")
CONTROL_METHODS = frozenset({
    "add_user", "add_supergroup", "add_group", "add_channel", "set_member", "create_topic", "close_topic",
    "reopen_topic", "delete_topic", "send_text", "send_command", "press_button", "send_contact",
    "send_location", "send_photo", "send_sticker", "send_voice", "send_document", "edit_message",
    "post_to_channel", "migrate_group", "block", "unblock", "send_update", "add_fault", "set_fault_rate", "clear_faults",
    "set_rate_limits", "messages", "bot_messages", "texts", "message", "message_history", "keyboard",
    "reply_keyboard", "callback_answers", "chat_actions", "calls", "call_count", "pending_updates",
    "commands", "topics", "rate_violations", "wait_for_messages", "wait_for_calls",
})


# ---------------------------------------------------------------------------- the server

class StandIn:
    """The Telegram Bot API stand-in.

    Start it inside a running loop (`await standin.start()`, or `async with StandIn() as standin`)
    or on a loop of its own in a background thread (`StandIn.run_in_thread()`). Point a bot at
    `base_url` and `base_file_url` (python-telegram-bot appends the token), or call
    `{api_url}/{method}` directly."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, seed: int = 0, bot_name: str = "Stand-in Bot",
                 bot_username: str = "standin_bot", privacy_mode: bool = True, callback_ttl: float = 15.0,
                 rate_limits: RateLimits | None = None, enforce_rate_limits: bool = False,
                 clock: Callable[[], float] = time.time, host: str = "127.0.0.1", port: int = 0,
                 webhook_backoff: float = 0.05, webhook_timeout: float = 10.0):
        self.token = token
        self.bot_id = leading_int(token.split(":")[0]) or 1
        self.bot_user = {"id": self.bot_id, "is_bot": True, "first_name": bot_name, "username": bot_username}
        self.privacy_mode = privacy_mode
        self.callback_ttl = callback_ttl  # seconds to answer a button press; Telegram documents no number
        self.enforce_rate_limits = enforce_rate_limits
        self.clock = clock  # the `date` of messages and the 48-hour deletion window
        self.host, self.port = host, port
        self.root = self.base_url = self.base_file_url = self.api_url = ""
        self.webhook_backoff = webhook_backoff  # scales Telegram's webhook retry delays (2, 4, 8 ... s)
        self.webhook_timeout = webhook_timeout
        self._random = random.Random(seed)
        self._faults = Faults(seed)
        self._rates = RateWatch(rate_limits or RateLimits())
        self._violations: list[dict] = []
        self.users: dict[int, dict] = {}
        self._started: set[int] = set()  # users who wrote to the bot; it cannot write first
        self._blocked: set[int] = set()
        self.chats: dict[int, Chat] = {}
        self._account_message_id = 0  # private chats and basic groups share one id sequence
        self._files: dict[str, StoredFile] = {}
        self._file_paths: dict[str, StoredFile] = {}
        self._queries: dict[str, CallbackQuery] = {}
        self._answers: list[dict] = []
        self._calls: list[dict] = []
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._updates: list[dict] = []
        self._next_update_id = self._random.randrange(10 ** 8, 9 * 10 ** 8)
        self._allowed = DEFAULT_UPDATE_TYPES
        self._poll: asyncio.Future | None = None
        self._webhook: dict | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_task: asyncio.Task | None = None
        self._signal = _Signal()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._next_ids = {"user": 100_000_000, "group": 400_000_000, "supergroup": 1_000_000_000}
        self._methods = {name[4:].lower(): (name[4:], getattr(self, name))
                         for name in dir(self) if name.startswith("api_")}

    # ---- lifecycle

    async def start(self) -> StandIn:
        app = web.Application(client_max_size=64 * 2 ** 20)  # bots upload files of up to 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/control/{name}", self._handle_control)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        # handler_cancellation: a long poll whose client hung up stops waiting, as on Telegram.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        self.root = f"http://{self.host}:{self.port}"
        self.base_url = f"{self.root}/bot"
        self.base_file_url = f"{self.root}/file/bot"
        self.api_url = f"{self.root}/bot{self.token}"
        self._session = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        self._closing.set()
        self._wake_poll()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> StandIn:
        return await self.start()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.stop()

    @classmethod
    def run_in_thread(cls, **kwargs: Any) -> ThreadedStandIn:
        """A stand-in on its own event loop in a daemon thread, for a bot in another thread or
        process; stop it with `.stop()` or use it as a context manager."""
        return ThreadedStandIn(cls, kwargs)

    def bot_kwargs(self) -> dict:
        """Arguments for python-telegram-bot's Bot (or ApplicationBuilder) to talk to the stand-in."""
        return {"token": self.token, "base_url": self.base_url, "base_file_url": self.base_file_url}

    # ---- HTTP

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._answer(self._log_call(method, Params({})), ApiError(401, "Unauthorized"))
        entry = self._methods.get(method.lower())
        if entry is None:
            return self._answer(self._log_call(method, Params({})), ApiError(404, "Not Found"))
        name, handler = entry
        try:
            params = await Params.read(request)
        except ApiError as error:
            return self._answer(self._log_call(name, Params({})), error)
        call = self._log_call(name, params)
        try:
            return await self._run_call(request, call, handler, params)
        finally:
            self._signal.notify()

    async def _run_call(self, request: web.Request, call: dict, handler: Callable,
                        params: Params) -> web.StreamResponse:
        fault = self._faults.pick(call["method"])
        if fault is not None:
            call["fault"] = fault.kind
        if fault is not None and fault.kind == "retry_after":
            return self._answer(call, too_many_requests(fault.retry_after))
        outcome: Any = None
        if fault is None or fault.deliver:
            try:
                outcome = await handler(params)
                call["delivered"] = True
            except ApiError as error:
                outcome = error
        if fault is None:
            return self._answer(call, outcome)
        if fault.kind == "server_error":
            return self._answer(call, ApiError(500, "Internal Server Error"))
        if fault.kind == "bad_gateway":
            call["status"] = 502
            return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")
        await self._hang(fault.hang)
        if request.transport is not None:
            request.transport.close()  # the client gets no answer at all
        return web.Response(status=504)

    async def _hang(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    def _log_call(self, method: str, params: Params) -> dict:
        call = {"method": method, "params": params.logged(), "time": time.time(), "status": None,
                "description": None, "fault": None, "delivered": False}
        self._calls.append(call)
        return call

    def _answer(self, call: dict, outcome: Any) -> web.Response:
        if isinstance(outcome, ApiError):
            call["status"], call["description"] = outcome.code, outcome.description
            return _json_response(outcome.body(), outcome.code)
        call["status"] = 200
        if isinstance(outcome, _Described):
            call["description"] = outcome.description
            return _json_response({"ok": True, "result": outcome.result, "description": outcome.description})
        return _json_response({"ok": True, "result": outcome})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json_response(ApiError(401, "Unauthorized").body(), 401)
        stored = self._file_paths.get(request.match_info["path"])
        if stored is None:
            return _json_response(ApiError(404, "Not Found").body(), 404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return _json_response(ApiError(404, "Not Found").body(), 404)

    async def _handle_control(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in CONTROL_METHODS:
            return _json_response({"ok": False, "description": f"no control method {name!r}"}, 404)
        kwargs: dict[str, Any] = {key: _loose_json(value) for key, value in request.query.items()}
        try:
            if request.body_exists:
                body = json.loads(await request.read() or b"{}")
                if not isinstance(body, dict):
                    raise ControlError("the body must be a JSON object of keyword arguments")
                kwargs.update(body)
            result = getattr(self, name)(**kwargs)
            if inspect.isawaitable(result):
                result = await result
        except (ControlError, TypeError, ValueError, KeyError, asyncio.TimeoutError) as error:
            return _json_response({"ok": False, "description": f"{type(error).__name__}: {error}"}, 400)
        finally:
            self._signal.notify()
        return _json_response({"ok": True, "result": result})

    # ---- updates

    def _enqueue(self, kind: str, payload: dict) -> dict | None:
        """Queue an update unless allowed_updates leave its kind out (then Telegram drops it)."""
        if kind not in self._allowed:
            return None
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._wake_poll()
        self._signal.notify()
        return _copy(update)

    def _set_allowed(self, params: Params) -> None:
        """allowed_updates as the Bot API server reads it: names in any case, unknown ones skipped,
        an empty list meaning the default; anything unreadable leaves the setting as it was."""
        try:
            names = json.loads(params.text("allowed_updates") or "null")
        except ValueError:
            return
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            return
        known = {name.lower() for name in names} & set(UPDATE_TYPES)
        self._allowed = frozenset(known) or DEFAULT_UPDATE_TYPES

    def _confirm(self, offset: int) -> None:
        """Forget the updates an offset confirms. An offset past the newest update confirms nothing:
        the Bot API server then reads from the queue's head."""
        if offset < 0:
            del self._updates[:max(0, len(self._updates) + offset)]
        elif 0 < offset <= self._next_update_id:
            self._updates = [update for update in self._updates if update["update_id"] >= offset]

    def _wake_poll(self) -> None:
        if self._poll is not None and not self._poll.done():
            self._poll.set_result(None)

    def _end_poll(self, description: str) -> None:
        if self._poll is not None and not self._poll.done():
            self._poll.set_exception(ApiError(409, description))

    async def _wait_for_updates(self, timeout: int) -> None:
        self._end_poll(TERMINATED_BY_POLL)  # a new waiting poll ends the one before it
        poll = asyncio.get_running_loop().create_future()
        self._poll = poll
        try:
            await asyncio.wait_for(asyncio.shield(poll), timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            if self._poll is poll:
                self._poll = None

    def _start_webhook(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._push_updates())

    async def _push_updates(self) -> None:
        """Deliver updates to the webhook one at a time, in order; an update stays pending until
        the webhook answers it with a 2XX status, and a failure is retried after 0, 2, 4, 8 ...
        seconds (times webhook_backoff), as Telegram retries."""
        failures = 0
        while self._webhook is not None and not self._closing.is_set():
            if not self._updates:
                await self._signal.wait(1.0)
                continue
            update = self._updates[0]
            delivered, error = await self._post_update(update)
            if delivered:
                if self._updates and self._updates[0] is update:
                    self._updates.pop(0)
                failures = 0
                self._signal.notify()
                continue
            if error:
                self._webhook_error = (int(self.clock()), error)
            failures += 1
            await self._hang(0 if failures == 1 else min(2 ** (failures - 1), 60) * self.webhook_backoff)

    async def _post_update(self, update: dict) -> tuple[bool, str]:
        headers = {}
        if self._webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self._webhook["secret_token"]
        timeout = aiohttp.ClientTimeout(total=self.webhook_timeout)
        try:
            async with self._session.post(self._webhook["url"], json=update, headers=headers,
                                          timeout=timeout) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return True, ""
                return False, f"Wrong response from the webhook: {response.status} {response.reason}"
        except asyncio.TimeoutError:
            return False, "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return False, "Connection refused"
        except aiohttp.ServerDisconnectedError:
            return False, ""  # Telegram records no error for a connection closed without an answer
        except aiohttp.ClientError:
            return False, "Connection reset by peer"

    # ---- chats, users and messages

    def _user(self, user_id: int) -> dict:
        """A user as Bot API objects show one; a user the stand-in never saw has only an id."""
        if user_id == self.bot_id:
            return dict(self.bot_user)
        return dict(self.users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": ""})

    def _find_chat(self, reference: str) -> Chat | None:
        if reference.startswith("@"):
            name = reference[1:].lower()
            return next((chat for chat in self.chats.values()
                         if chat.username.lower() == name and chat.type != "private"), None)
        return self.chats.get(leading_int(reference))

    def _chat(self, reference: str, access: str) -> Chat:
        """The chat a call names, checked as the Bot API server checks it; access is "read",
        "edit" or "write"."""
        if reference == "":
            raise bad_request("chat_id is empty")
        chat = self._find_chat(reference)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to and access != "read":
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": chat.migrated_to})
        if chat.type == "private":
            if access != "read" and chat.user["id"] in self._blocked:
                raise forbidden("bot was blocked by the user")
            return chat
        status = chat.members.get(self.bot_id, {}).get("status", "left")
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.kind()}")
        if status == "left" and (access != "read" or chat.type != "group"):
            raise forbidden(f"bot is not a member of the {chat.kind()}")
        return chat

    def _check_can_send(self, chat: Chat) -> None:
        if chat.type == "channel" and not self._bot_right(chat, "can_post_messages"):
            raise bad_request("need administrator rights in the channel chat")
        if chat.type != "private":
            return
        if chat.user.get("is_bot"):
            raise forbidden("bot can't send messages to bots")
        if chat.user["id"] not in self._started:
            raise forbidden("bot can't initiate conversation with a user")

    def _bot_right(self, chat: Chat, right: str) -> bool:
        member = chat.members.get(self.bot_id, {})
        return member.get("status") == "creator" or (member.get("status") == "administrator"
                                                      and bool(member.get(right)))

    def _next_message_id(self, chat: Chat) -> int:
        if chat.type in ("private", "group"):
            self._account_message_id += 1
            return self._account_message_id
        chat.last_message_id += 1
        return chat.last_message_id

    def _topic_root(self, chat: Chat, topic: Topic | None) -> Record | None:
        root = chat.messages.get(topic.thread_id) if topic is not None else None
        return root if root is not None and not root.deleted else None

    def _compose(self, chat: Chat, content: dict, *, sender: dict | None, topic: Topic | None = None,
                 reply: Record | None = None, sender_chat: dict | None = None) -> dict:
        """A new message. In a forum topic, a message that replies to nothing replies to the topic's
        creation message, as the Bot API server shows it (get_implicit_reply_to_message_id)."""
        message: dict[str, Any] = {"message_id": self._next_message_id(chat)}
        if sender is not None:
            message["from"] = sender
        if sender_chat is not None:
            message["sender_chat"] = sender_chat
        message["chat"] = chat.json()
        message["date"] = int(self.clock())
        if topic is not None:
            message["message_thread_id"] = topic.thread_id
        target = reply or self._topic_root(chat, topic)
        if target is not None:
            message["reply_to_message"] = _without_reply(target.message)
        message.update(content)
        if topic is not None:
            message["is_topic_message"] = True
        return message

    def _store(self, chat: Chat, message: dict, sender: str, markup: dict | None = None) -> Record:
        record = Record(message, sender, markup)
        chat.messages[message["message_id"]] = record
        return record

    def _deliver(self, chat: Chat, record: Record, kind: str = "message") -> dict | None:
        """The update telling the bot of a message from someone else, if the bot may see it."""
        if not self._bot_sees(chat, record.message):
            return None
        update = self._enqueue(kind, _copy(record.message))
        record.seen = record.seen or update is not None
        return update

    def _bot_sees(self, chat: Chat, message: dict) -> bool:
        """Privacy mode (Bots FAQ): in groups where it is no administrator a bot gets service
        messages, commands, replies to its own messages and messages that mention it."""
        status = "member" if chat.type == "private" else chat.members.get(self.bot_id, {}).get("status", "left")
        if status in ("left", "kicked"):
            return False
        if chat.type in ("private", "channel") or not self.privacy_mode or _is_service(message):
            return True
        if status in ("creator", "administrator"):
            return True
        text = message.get("text", "")
        command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
        if command:
            return "@" not in command or command.lower().endswith("@" + self.bot_user["username"].lower())
        reply = message.get("reply_to_message")
        explicit = reply is not None and reply.get("message_id") != message.get("message_thread_id")
        if explicit and reply.get("from", {}).get("id") == self.bot_id:
            return True
        return "@" + self.bot_user["username"].lower() in text.lower()

    def _send_topic(self, chat: Chat, params: Params) -> Topic | None:
        """The forum topic a send names; message_thread_id means nothing outside forums."""
        thread_id = params.integer("message_thread_id")
        if thread_id <= 0:
            return None
        if chat.type == "private":
            raise bad_request("message thread not found")
        if not chat.is_forum:
            return None
        topic = chat.topics.get(thread_id)
        if thread_id == GENERAL_TOPIC_ID or topic is None or topic.deleted_by == "bot":
            raise bad_request("message thread not found")
        if topic.deleted_by == "staff":
            raise bad_request("TOPIC_DELETED")
        # TDLib's can_send_message_to_forum_topic: a closed topic still takes messages from its
        # creator and from administrators who may manage topics.
        may_post = topic.creator_id == self.bot_id or self._bot_right(chat, "can_manage_topics")
        if topic.closed and not may_post:
            raise bad_request("TOPIC_CLOSED")
        return topic

    def _reply_target(self, chat: Chat, params: Params) -> Record | None:
        if params.has("reply_parameters"):
            value = params.json("reply_parameters", "can't parse reply parameters JSON object")
            if not isinstance(value, dict):
                raise bad_request("object expected as reply parameters")
            if not value:
                return None
            if "message_id" not in value:
                raise bad_request('can\'t find field "message_id"')
            if value.get("chat_id") not in (None, chat.id, str(chat.id)):
                raise bad_request("replies to another chat are not modeled by the stand-in")
            message_id = leading_int(str(value["message_id"]))
            allow = value.get("allow_sending_without_reply") is True
        else:
            message_id = params.integer("reply_to_message_id")
            allow = params.flag("allow_sending_without_reply")
        if message_id <= 0:
            return None
        record = chat.messages.get(message_id)
        if record is None or record.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return record

    def _flood_check(self, chat: Chat, method: str, *, edit: bool = False) -> None:
        """Count a send that breaks a flood limit; refuse it with 429 when limits are enforced."""
        breach = self._rates.breach(chat, time.monotonic(), edit)
        if breach is None:
            return
        rule, retry_after = breach
        self._violations.append({"rule": rule, "chat_id": chat.id, "method": method, "time": time.time(),
                                 "retry_after": retry_after, "enforced": self.enforce_rate_limits})
        if self.enforce_rate_limits:
            raise too_many_requests(retry_after)

    def _send(self, chat: Chat, content: dict, *, markup: dict | None, topic: Topic | None,
              reply: Record | None) -> Record:
        """A message from the bot (on behalf of a channel there), stored and counted for flood limits."""
        if chat.type == "channel":
            message = self._compose(chat, content, sender=None, sender_chat=chat.json(), reply=reply)
        else:
            message = self._compose(chat, content, sender=self._user(self.bot_id), topic=topic, reply=reply)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # a Message shows inline keyboards only
        record = self._store(chat, message, "bot", markup)
        if markup is not None and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup is not None and "remove_keyboard" in markup:
            chat.reply_keyboard = None
        self._rates.record(chat, time.monotonic(), False)
        return record

    def _read_text(self, params: Params) -> tuple[str, list[dict]]:
        raw = params.text("text")
        if raw == "":
            raise bad_request("message text is empty")
        return parse_text(raw, params.text("parse_mode"), params.text("entities"), self._user)

    def _read_caption(self, params: Params) -> tuple[str, list[dict]]:
        raw = params.text("caption")
        if raw == "":
            return "", []
        return parse_text(raw, params.text("parse_mode"), params.text("caption_entities"), self._user)

    def _link_preview(self, params: Params) -> dict | None:
        if not params.has("link_preview_options"):
            return {"is_disabled": True} if params.flag("disable_web_page_preview") else None
        value = params.json("link_preview_options", "can't parse link preview options JSON object")
        if not isinstance(value, dict):
            raise bad_request("object expected as link preview options")
        return {key: value[key] for key in ("is_disabled", "url", "prefer_small_media", "prefer_large_media",
                                            "show_above_text") if value.get(key)} or None

    def _text_content(self, text: str, entities: list[dict], preview: dict | None) -> dict:
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        has_link = any(entity["type"] in ("url", "text_link") for entity in entities)
        if preview and (has_link or "url" in preview):
            content["link_preview_options"] = preview  # kept only where it changes something
        return content


    # ---- Bot API methods: each reads a request's Params and returns its result or raises ApiError

    async def api_getMe(self, params: Params) -> dict:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    async def api_getUpdates(self, params: Params) -> list[dict]:
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = params.integer("offset")
        limit = min(max(params.integer("limit", 100), 1), 100)
        timeout = min(max(params.integer("timeout"), 0), LONG_POLL_MAX)
        self._set_allowed(params)
        self._confirm(offset)
        if not self._updates and timeout and not self._closing.is_set():
            await self._wait_for_updates(timeout)  # returns as soon as an update arrives
        return _copy(self._updates[:limit])

    async def api_setWebhook(self, params: Params) -> _Described:
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        url = params.text("url")
        if not url:
            return self._remove_webhook()
        parts = urllib.parse.urlsplit(url if "://" in url else "https://" + url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request("invalid webhook URL specified")
        secret = params.text("secret_token")
        if len(secret) > 256:
            raise bad_request("secret token is too long")
        if not re.fullmatch(r"[A-Za-z0-9_-]*", secret):
            raise bad_request("secret token contains unallowed characters")
        # Telegram wants HTTPS on port 443, 80, 88 or 8443; a test's webhook is plain HTTP on loopback.
        if not (parts.hostname in ("localhost", "::1") or parts.hostname.startswith("127.")):
            raise bad_request("bad webhook: the stand-in delivers to loopback addresses only")
        self._set_allowed(params)
        webhook = {"url": parts.geturl(), "secret_token": secret,
                   "max_connections": min(max(params.integer("max_connections", 40), 1), 100)}
        if webhook == self._webhook:
            return _Described(True, "Webhook is already set")
        self._end_poll("Conflict: terminated by setWebhook request")
        self._webhook, self._webhook_error = webhook, None
        self._start_webhook()
        return _Described(True, "Webhook was set")

    async def api_deleteWebhook(self, params: Params) -> _Described:
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        return self._remove_webhook()

    def _remove_webhook(self) -> _Described:
        was_set = self._webhook is not None
        self._webhook, self._webhook_error = None, None
        if self._webhook_task is not None:
            self._webhook_task.cancel()  # an update in flight stays pending
            self._webhook_task = None
        return _Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    async def api_getWebhookInfo(self, params: Params) -> dict:
        info: dict[str, Any] = {"url": self._webhook["url"] if self._webhook else "",
                                "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if self._webhook:
            info["max_connections"] = self._webhook["max_connections"]
        if self._webhook_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        if self._allowed != DEFAULT_UPDATE_TYPES:
            info["allowed_updates"] = sorted(self._allowed, key=UPDATE_TYPES.index)
        return info

    async def api_sendMessage(self, params: Params) -> dict:
        text, entities = self._read_text(params)
        preview = self._link_preview(params)
        markup = parse_reply_markup(params.text("reply_markup"))
        chat = self._chat(params.text("chat_id"), "write")
        self._check_can_send(chat)
        topic = self._send_topic(chat, params)
        reply = self._reply_target(chat, params)
        check_buttons(markup)
        text, entities = final_text(text, entities, MAX_TEXT, "message is too long", required=True)
        self._flood_check(chat, "sendMessage")
        content = self._text_content(text, entities, preview)
        return _copy(self._send(chat, content, markup=markup, topic=topic, reply=reply).message)

    async def api_sendPhoto(self, params: Params) -> dict:
        caption, caption_entities = self._read_caption(params)
        markup = parse_reply_markup(params.text("reply_markup"))
        upload, reference = params.upload("photo"), params.text("photo")
        if upload is None and (reference == "" or reference.startswith("attach://")):
            raise bad_request("there is no photo in the request")
        chat = self._chat(params.text("chat_id"), "write")
        self._check_can_send(chat)
        topic = self._send_topic(chat, params)
        reply = self._reply_target(chat, params)
        photo = self._uploaded_photo(upload) if upload else self._photo_by_reference(reference)
        check_buttons(markup)
        caption, caption_entities = final_text(caption, caption_entities, MAX_CAPTION,
                                               "message caption is too long", required=False)
        self._flood_check(chat, "sendPhoto")
        content = {"photo": photo, **_caption(caption, caption_entities)}
        return _copy(self._send(chat, content, markup=markup, topic=topic, reply=reply).message)

    async def api_copyMessage(self, params: Params) -> dict:
        source_chat = self._chat(params.text("from_chat_id"), "read")
        source = source_chat.messages.get(params.integer("message_id"))
        if source is None or source.deleted:
            raise bad_request("message to copy not found")
        if _is_service(source.message):
            raise bad_request("the message can't be copied")
        caption = self._read_caption(params) if "caption" in params.values else None
        markup = parse_reply_markup(params.text("reply_markup"))
        chat = self._chat(params.text("chat_id"), "write")
        self._check_can_send(chat)
        topic = self._send_topic(chat, params)
        reply = self._reply_target(chat, params)
        check_buttons(markup)
        content = {key: _copy(source.message[key]) for key in CONTENT_KEYS if key in source.message}
        if caption is not None and "text" not in content:  # a copy's caption replaces the original's
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(_caption(*final_text(*caption, MAX_CAPTION, "message caption is too long",
                                                required=False)))
        self._flood_check(chat, "copyMessage")
        record = self._send(chat, content, markup=markup, topic=topic, reply=reply)
        return {"message_id": record.message["message_id"]}

    async def api_editMessageText(self, params: Params) -> dict:
        text, entities = self._read_text(params)
        preview = self._link_preview(params)
        markup = parse_reply_markup(params.text("reply_markup"))
        chat, record = self._message_to_edit(params)
        if "text" not in record.message:
            raise bad_request("there is no text in the message to edit")
        check_buttons(markup)
        text, entities = final_text(text, entities, MAX_TEXT, "MESSAGE_TOO_LONG", required=True)
        self._edit(chat, record, "editMessageText", self._text_content(text, entities, preview), markup,
                   replaced=("text", "entities", "link_preview_options"))
        return _copy(record.message)

    async def api_editMessageReplyMarkup(self, params: Params) -> dict:
        markup = parse_reply_markup(params.text("reply_markup"))
        chat, record = self._message_to_edit(params)
        check_buttons(markup)
        self._edit(chat, record, "editMessageReplyMarkup", {}, markup, replaced=())
        return _copy(record.message)

    def _message_to_edit(self, params: Params) -> tuple[Chat, Record]:
        chat_reference, message_id = params.text("chat_id"), params.integer("message_id")
        if chat_reference == "" and message_id == 0:
            if not params.has("inline_message_id"):
                raise bad_request("Message identifier is not specified")
            raise bad_request("MESSAGE_ID_INVALID")  # inline-mode messages are not modeled
        chat = self._chat(chat_reference, "edit")
        record = chat.messages.get(message_id)
        if message_id <= 0 or record is None or record.deleted:
            raise bad_request("message to edit not found")
        # TDLib's can_edit_message: only the bot's own messages, and none sent with a reply keyboard,
        # remove_keyboard or force_reply.
        if record.sender != "bot" or (record.markup is not None and "inline_keyboard" not in record.markup):
            raise bad_request("message can't be edited")
        return chat, record

    def _edit(self, chat: Chat, record: Record, method: str, content: dict, markup: dict | None,
              replaced: tuple[str, ...]) -> None:
        """Apply an edit; an edit without reply_markup removes the inline keyboard, as on Telegram."""
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")  # unverified text
        edited = {key: value for key, value in record.message.items() if key not in replaced}
        edited.update(content)
        edited.pop("reply_markup", None)
        if markup is not None:
            edited["reply_markup"] = markup
        if _without_edit_date(edited) == _without_edit_date(record.message):
            raise bad_request(NOT_MODIFIED)
        self._flood_check(chat, method, edit=True)
        record.versions.append(_copy(record.message))
        edited["edit_date"] = int(self.clock())
        record.message, record.markup = edited, markup
        self._rates.record(chat, time.monotonic(), True)

    async def api_deleteMessage(self, params: Params) -> bool:
        chat_reference, message_id = params.text("chat_id"), params.integer("message_id")
        if chat_reference == "":
            raise bad_request("Chat identifier is not specified")
        if message_id == 0:
            raise bad_request("Message identifier is not specified")
        chat = self._chat(chat_reference, "write")
        record = chat.messages.get(message_id)
        if message_id < 0 or record is None or record.deleted:
            raise bad_request("message to delete not found")
        if not self._can_delete(chat, record):
            raise bad_request("message can't be deleted")
        record.deleted = True
        return True

    def _can_delete(self, chat: Chat, record: Record) -> bool:
        """deleteMessage's documented rules: younger than 48 hours, never a topic's creation message;
        the bot's own anywhere, others' in private chats or with the right to delete them."""
        if "forum_topic_created" in record.message or self.clock() - record.message["date"] >= DELETE_WINDOW:
            return False
        if chat.type == "private":
            return True
        if record.sender == "bot":
            return chat.type != "channel" or self._bot_right(chat, "can_post_messages")
        if chat.type == "group":
            return chat.members.get(self.bot_id, {}).get("status") in ("creator", "administrator")
        return self._bot_right(chat, "can_delete_messages")

    async def api_answerCallbackQuery(self, params: Params) -> bool:
        query = self._queries.get(params.text("callback_query_id"))
        if query is None or query.answered or time.monotonic() - query.pressed_at > self.callback_ttl:
            raise bad_request(QUERY_INVALID)
        text = params.text("text")
        if len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")  # the query stays open
        query.answered = True
        self._answers.append({"callback_query_id": query.id, "chat_id": query.chat_id,
                              "message_id": query.message_id, "data": query.data, "text": text,
                              "show_alert": params.flag("show_alert"), "url": params.text("url"),
                              "cache_time": params.integer("cache_time"), "time": time.time()})
        return True

    async def api_getFile(self, params: Params) -> dict:
        file_id = params.text("file_id")
        if not file_id:
            raise bad_request("file_id not specified")
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data), "file_path": stored.path}

    async def api_sendChatAction(self, params: Params) -> bool:
        action = params.text("action").lower()
        if action not in CHAT_ACTIONS:
            raise bad_request("Wrong parameter action in request")  # read before the chat
        chat = self._chat(params.text("chat_id"), "write")
        chat.actions.append({"action": action, "time": time.time(),
                             "message_thread_id": params.integer("message_thread_id") or None})
        return True

    async def api_setMyCommands(self, params: Params) -> bool:
        commands = params.json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("expected an Array of BotCommand")
        read = [_bot_command(command) for command in commands]
        key = self._commands_key(params)
        if len(read) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        if any(not re.fullmatch(r"[a-z0-9_]+", command["command"]) for command in read):
            raise bad_request("BOT_COMMAND_INVALID")
        self._commands[key] = read
        return True

    async def api_getMyCommands(self, params: Params) -> list[dict]:
        return _copy(self._commands.get(self._commands_key(params), []))

    async def api_deleteMyCommands(self, params: Params) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        """A command list's scope and language, as one list is kept for each."""
        scope = params.json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
        if not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind not in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
                        "chat_administrators", "chat_member"):
            raise bad_request("can't parse BotCommandScope: Unsupported type specified")
        key: dict[str, Any] = {"type": kind}
        if kind in ("chat", "chat_administrators", "chat_member"):
            key["chat_id"] = self._chat(str(scope.get("chat_id", "")), "read").id
        if kind == "chat_member":
            key["user_id"] = leading_int(str(scope.get("user_id", "")))
            if key["user_id"] <= 0:
                raise bad_request("can't parse BotCommandScope: Invalid user_id specified")
        language = params.text("language_code")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return json.dumps(key, sort_keys=True), language

    async def api_getChat(self, params: Params) -> dict:
        chat = self._chat(params.text("chat_id"), "read")
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                               "gifts_from_channels"), False)
        return {**chat.json(), "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    async def api_getChatMember(self, params: Params) -> dict:
        chat = self._chat(params.text("chat_id"), "read")
        user_id = params.integer("user_id")
        if user_id <= 0:
            raise bad_request("Invalid user_id specified")
        if user_id != self.bot_id and user_id not in self.users:
            raise bad_request("user not found")
        return self._member_json(chat, user_id)

    def _member_json(self, chat: Chat, user_id: int) -> dict:
        default = "member" if chat.type == "private" else "left"
        member = chat.members.get(user_id, {"status": default})
        status, user = member["status"], self._user(user_id)
        if status == "creator":
            return {"status": status, "user": user, "is_anonymous": False}
        if status == "administrator":
            return {"status": status, "user": user, "can_be_edited": False, "is_anonymous": False,
                    **{right: bool(member.get(right)) for right in ADMIN_RIGHTS}}
        if status == "kicked":
            return {"status": status, "user": user, "until_date": 0}
        return {"status": status, "user": user}

    async def api_createForumTopic(self, params: Params) -> dict:
        chat = self._forum(params)
        if not self._bot_right(chat, "can_manage_topics"):
            raise bad_request("not enough rights to create a topic")
        topic = self._open_topic(chat, _topic_name(params.text("name")),
                                 params.integer("icon_color") or DEFAULT_TOPIC_COLOR, self.bot_id,
                                 params.text("icon_custom_emoji_id"))
        return topic.json()

    async def api_editForumTopic(self, params: Params) -> bool:
        chat = self._forum(params)
        topic = self._forum_topic(chat, params)
        self._may_manage(chat, topic, "not enough rights to edit the topic")
        name, has_icon = params.text("name"), "icon_custom_emoji_id" in params.values
        if not name and not has_icon:
            return True  # TDLib does nothing, successfully
        new_name = _topic_name(name) if name else topic.name
        new_icon = params.text("icon_custom_emoji_id") if has_icon else topic.icon_custom_emoji_id
        if (new_name, new_icon) == (topic.name, topic.icon_custom_emoji_id):
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.name, topic.icon_custom_emoji_id = new_name, new_icon
        edited = {**({"name": new_name} if name else {}),
                  **({"icon_custom_emoji_id": new_icon} if has_icon else {})}
        self._topic_service(chat, topic, self.bot_id, {"forum_topic_edited": edited})
        return True

    async def api_closeForumTopic(self, params: Params) -> bool:
        return self._toggle_topic(params, closed=True)

    async def api_reopenForumTopic(self, params: Params) -> bool:
        return self._toggle_topic(params, closed=False)

    async def api_deleteForumTopic(self, params: Params) -> bool:
        chat = self._forum(params)
        topic = self._forum_topic(chat, params)
        if not self._bot_right(chat, "can_delete_messages"):
            raise bad_request("not enough rights to delete the topic")
        self._remove_topic(chat, topic, "bot")
        return True

    def _forum(self, params: Params) -> Chat:
        chat = self._chat(params.text("chat_id"), "write")
        if chat.type != "supergroup" or not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _forum_topic(self, chat: Chat, params: Params) -> Topic:
        thread_id = params.integer("message_thread_id")
        if thread_id <= 0:
            raise bad_request("invalid forum topic identifier specified")
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted_by:
            raise bad_request("TOPIC_ID_INVALID")
        return topic

    def _may_manage(self, chat: Chat, topic: Topic, refusal: str) -> None:
        """Closing, reopening and renaming need can_manage_topics, unless the bot opened the topic."""
        if topic.creator_id != self.bot_id and not self._bot_right(chat, "can_manage_topics"):
            raise bad_request(refusal)

    def _toggle_topic(self, params: Params, closed: bool) -> bool:
        chat = self._forum(params)
        topic = self._forum_topic(chat, params)
        self._may_manage(chat, topic, "not enough rights to close or open the topic")
        if topic.closed == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        self._topic_service(chat, topic, self.bot_id, _topic_toggled(closed))
        return True

    def _open_topic(self, chat: Chat, name: str, color: int, creator_id: int, emoji: str = "") -> Topic:
        """A new topic: its id is the id of its forum_topic_created message, which every bot gets."""
        thread_id = self._next_message_id(chat)
        topic = Topic(chat.id, thread_id, name, color, creator_id, emoji)
        chat.topics[thread_id] = topic
        created = {"name": name, "icon_color": color, **({"icon_custom_emoji_id": emoji} if emoji else {})}
        message = {"message_id": thread_id, "from": self._user(creator_id), "chat": chat.json(),
                   "date": int(self.clock()), "message_thread_id": thread_id, "forum_topic_created": created,
                   "is_topic_message": True}
        self._deliver(chat, self._store(chat, message, "service"))
        return topic

    def _topic_service(self, chat: Chat, topic: Topic, user_id: int, content: dict) -> dict:
        message = self._compose(chat, content, sender=self._user(user_id), topic=topic)
        record = self._store(chat, message, "service")
        return {"update": self._deliver(chat, record), "message": _copy(message)}

    def _remove_topic(self, chat: Chat, topic: Topic, by: str) -> None:
        """Deleting a topic deletes all its messages; Telegram sends bots no update for it."""
        topic.deleted_by = by
        for record in chat.messages.values():
            if record.message.get("message_thread_id") == topic.thread_id:
                record.deleted = True

    # ---- files

    def _add_file(self, kind: str, data: bytes, info: dict, file_id: str | None = None,
                  file_unique_id: str | None = None) -> StoredFile:
        directory, extension, prefix = _FILE_DIRS[kind]
        file_id = file_id or prefix + self._random_chars(40)
        if file_id in self._files:
            raise ControlError(f"file_id {file_id!r} is taken")
        path = f"{directory}/file_{len(self._files)}.{extension}"
        file_unique_id = file_unique_id or "AQAD" + self._random_chars(12)
        stored = StoredFile(file_id, file_unique_id, kind, data, path, info)
        self._files[file_id] = self._file_paths[path] = stored
        return stored

    def _random_chars(self, count: int) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return "".join(self._random.choice(alphabet) for _ in range(count))

    def _photo_files(self, data: bytes, sizes: list[dict]) -> list[dict]:
        """A photo's sizes as files (each size is a file of its own with the same bytes here)."""
        stored = [self._add_file("photo", data, {"width": size["width"], "height": size["height"]},
                                 size.get("file_id"), size.get("file_unique_id")) for size in sizes]
        group = [item.file_id for item in stored]
        for item in stored:
            item.group = group
        return [item.json() for item in stored]

    def _uploaded_photo(self, upload: Upload) -> list[dict]:
        size = image_size(upload.data)
        if size is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        return self._photo_files(upload.data, _sizes(*size))

    def _photo_by_reference(self, reference: str) -> list[dict]:
        if "." in reference or "://" in reference:  # TDLib takes any string with a dot for a URL
            scheme = urllib.parse.urlsplit(reference if "://" in reference else "http://" + reference).scheme
            if scheme not in ("http", "https"):
                raise bad_request("invalid file HTTP URL specified: Unsupported URL protocol")
            # The stand-in fetches nothing; it makes an 800x600 photo of a placeholder.
            return self._photo_files(tiny_png(), _sizes(800, 600))
        stored = self._files.get(reference)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != "photo":
            raise bad_request(f"can't use file of type {stored.kind.capitalize()} as Photo")
        return [self._files[file_id].json() for file_id in stored.group]

    # ---- control: building the world

    def add_user(self, first_name: str = "用户", *, user_id: int | None = None, last_name: str | None = None,
                 username: str | None = None, language_code: str | None = "zh-hans", is_bot: bool = False,
                 started: bool = False) -> dict:
        """A Telegram user and their private chat with the bot. Telegram lets a bot write to a user
        only after the user wrote to it: `started=True` says they already did."""
        user_id = user_id or self._new_id("user")
        if user_id in self.users or user_id == self.bot_id:
            raise ControlError(f"user {user_id} exists")
        user = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
        user.update({key: value for key, value in (("last_name", last_name), ("username", username),
                                                  ("language_code", language_code)) if value})
        self.users[user_id] = user
        self.chats[user_id] = Chat(user_id, "private", user=user)
        if started:
            self._started.add(user_id)
        return dict(user)

    def add_supergroup(self, title: str, *, is_forum: bool = True, chat_id: int | None = None,
                       username: str = "", bot_status: str = "administrator", **bot_rights: bool) -> dict:
        """A supergroup (a forum unless is_forum=False) with the bot in it: an administrator with
        every right unless bot_status or bot_rights (e.g. can_manage_topics=False) say otherwise."""
        chat = self._add_chat("supergroup", title, chat_id, username=username, is_forum=is_forum)
        self.set_member(chat.id, self.bot_id, bot_status, **bot_rights)
        return chat.json()

    def add_group(self, title: str, *, chat_id: int | None = None, bot_status: str = "member",
                  **bot_rights: bool) -> dict:
        """A basic group with the bot as a member (or bot_status)."""
        chat = self._add_chat("group", title, chat_id)
        self.set_member(chat.id, self.bot_id, bot_status, **bot_rights)
        return chat.json()

    def add_channel(self, title: str, *, chat_id: int | None = None, username: str = "",
                    bot_status: str = "administrator", **bot_rights: bool) -> dict:
        """A channel with the bot as an administrator (or bot_status)."""
        chat = self._add_chat("channel", title, chat_id, username=username)
        self.set_member(chat.id, self.bot_id, bot_status, **bot_rights)
        return chat.json()

    def set_member(self, chat_id: int, user_id: int, status: str = "member", **rights: bool) -> dict:
        """A user's (or the bot's: user_id=bot_id) status in a group; an administrator has every
        right in ADMIN_RIGHTS unless given False. Returns the ChatMember getChatMember shows."""
        chat = self._known_chat(chat_id)
        if chat.type == "private":
            raise ControlError("a private chat has no members to set")
        if status not in MEMBER_STATUSES:
            raise ControlError(f"status must be one of {', '.join(MEMBER_STATUSES)}")
        unknown = set(rights) - set(ADMIN_RIGHTS)
        if unknown:
            raise ControlError(f"unknown rights: {', '.join(sorted(unknown))}")
        if user_id != self.bot_id:
            self._known_user(user_id)
        member: dict[str, Any] = {"status": status}
        if status == "administrator":
            member.update({right: bool(rights.get(right, True)) for right in ADMIN_RIGHTS})
        chat.members[user_id] = member
        return self._member_json(chat, user_id)

    def create_topic(self, chat_id: int, name: str, user_id: int, *, icon_color: int = DEFAULT_TOPIC_COLOR,
                     icon_custom_emoji_id: str = "") -> dict:
        """A topic a person opens in a forum; the bot gets its forum_topic_created message."""
        chat = self._known_forum(chat_id)
        self._join(chat, user_id)
        return self._open_topic(chat, _topic_name(name), icon_color, user_id, icon_custom_emoji_id).json()

    def close_topic(self, chat_id: int, message_thread_id: int, user_id: int) -> dict:
        """A person closes a topic; the bot gets forum_topic_closed, and its sends there fail with
        TOPIC_CLOSED unless it opened the topic or may manage topics (as TDLib decides)."""
        return self._person_toggles_topic(chat_id, message_thread_id, user_id, closed=True)

    def reopen_topic(self, chat_id: int, message_thread_id: int, user_id: int) -> dict:
        return self._person_toggles_topic(chat_id, message_thread_id, user_id, closed=False)

    def delete_topic(self, chat_id: int, message_thread_id: int) -> dict:
        """A person deletes a topic and its messages: no update; the bot's sends there then fail
        with TOPIC_DELETED."""
        chat = self._known_forum(chat_id)
        topic = self._known_topic(chat, message_thread_id)
        self._remove_topic(chat, topic, "staff")
        return topic.json()

    def _person_toggles_topic(self, chat_id: int, thread_id: int, user_id: int, closed: bool) -> dict:
        chat = self._known_forum(chat_id)
        topic = self._known_topic(chat, thread_id)
        if topic.closed == closed:
            raise ControlError("TOPIC_NOT_MODIFIED")
        self._join(chat, user_id)
        topic.closed = closed
        return self._topic_service(chat, topic, user_id, _topic_toggled(closed))

    def migrate_group(self, chat_id: int, user_id: int | None = None) -> dict:
        """A basic group upgraded to a supergroup: the bot gets migrate_to_chat_id and
        migrate_from_chat_id, and calls naming the old id fail with parameters.migrate_to_chat_id."""
        old = self._known_chat(chat_id)
        if old.type != "group" or old.migrated_to:
            raise ControlError(f"chat {chat_id} is no basic group that can be upgraded")
        new = self._add_chat("supergroup", old.title, None)
        new.members = {member_id: dict(member) for member_id, member in old.members.items()}
        sender = self._user(user_id) if user_id else None
        for chat, content in ((old, {"migrate_to_chat_id": new.id}), (new, {"migrate_from_chat_id": old.id})):
            self._deliver(chat, self._store(chat, self._compose(chat, content, sender=sender), "service"))
        old.migrated_to = new.id
        return new.json()

    def block(self, user_id: int) -> dict | None:
        """The user blocks the bot: the bot gets my_chat_member (kicked), and its sends to the user
        fail with 403 'Forbidden: bot was blocked by the user'."""
        self._known_user(user_id)
        self._blocked.add(user_id)
        return self._my_chat_member(user_id, "member", "kicked")

    def send_update(self, kind: str, payload: dict) -> dict | None:
        """An update of ``kind`` with ``payload`` exactly as given: what a newer Bot API or a
        broken body looks like to a client that cannot read it."""
        return self._enqueue(kind, payload)

    def unblock(self, user_id: int) -> dict | None:
        self._known_user(user_id)
        self._blocked.discard(user_id)
        return self._my_chat_member(user_id, "kicked", "member")

    def _my_chat_member(self, user_id: int, old: str, new: str) -> dict | None:
        bot = self._user(self.bot_id)

        def member(status: str) -> dict:  # ChatMemberBanned always carries until_date (0: forever)
            return {"status": status, "user": bot, **({"until_date": 0} if status == "kicked" else {})}

        change = {"chat": self.chats[user_id].json(), "from": self._user(user_id), "date": int(self.clock()),
                  "old_chat_member": member(old), "new_chat_member": member(new)}
        return self._enqueue("my_chat_member", change)

    def _new_id(self, kind: str) -> int:
        self._next_ids[kind] += 1
        return self._next_ids[kind]

    def _add_chat(self, kind: str, title: str, chat_id: int | None, **fields: Any) -> Chat:
        if chat_id is None:
            chat_id = -self._new_id("group") if kind == "group" else -(10 ** 12 + self._new_id("supergroup"))
        if chat_id in self.chats:
            raise ControlError(f"chat {chat_id} exists")
        chat = Chat(chat_id, kind, title=title, **fields)
        self.chats[chat_id] = chat
        return chat

    def _known_chat(self, chat_id: int) -> Chat:
        chat = self.chats.get(int(chat_id))
        if chat is None:
            raise ControlError(f"no chat {chat_id}")
        return chat

    def _known_forum(self, chat_id: int) -> Chat:
        chat = self._known_chat(chat_id)
        if not chat.is_forum:
            raise ControlError(f"chat {chat_id} is no forum")
        return chat

    def _known_topic(self, chat: Chat, thread_id: int) -> Topic:
        topic = chat.topics.get(int(thread_id))
        if topic is None or topic.deleted_by:
            raise ControlError(f"no topic {thread_id} in chat {chat.id}")
        return topic

    def _known_user(self, user_id: int) -> dict:
        user = self.users.get(int(user_id))
        if user is None:
            raise ControlError(f"no user {user_id}; add_user first")
        return user

    def _join(self, chat: Chat, user_id: int) -> None:
        """A person acting in a group is a member of it (added as one if they were not)."""
        self._known_user(user_id)
        status = chat.members.get(user_id, {}).get("status", "left")
        if status == "kicked":
            raise ControlError(f"user {user_id} is banned from chat {chat.id}")
        if status == "left":
            chat.members[user_id] = {"status": "member"}

    # ---- control: what people do

    def send_text(self, user_id: int, text: str, *, chat_id: int | None = None,
                  message_thread_id: int | None = None, reply_to_message_id: int | None = None) -> dict:
        """A text message from a user: in their private chat with the bot, or in chat_id (a group,
        or a forum topic with message_thread_id). Telegram's own entities (bot_command, url, ...) are
        added. Returns {"update": the update or None if the bot does not get it, "message": ...}."""
        text, entities = clean_text(text, [])
        if is_blank(text):
            raise ControlError("MESSAGE_EMPTY: the text shows nothing")
        entities = found_entities(text, entities)
        content = {"text": text, **({"entities": entities} if entities else {})}
        return self._from_user(user_id, content, chat_id, message_thread_id, reply_to_message_id)

    def send_command(self, user_id: int, command: str, args: str = "", *, chat_id: int | None = None,
                     message_thread_id: int | None = None, mention_bot: bool = False) -> dict:
        """/command [args] from a user; mention_bot writes /command@bot_username, as in groups."""
        text = "/" + command.lstrip("/") + ("@" + self.bot_user["username"] if mention_bot else "")
        return self.send_text(user_id, f"{text} {args}" if args else text, chat_id=chat_id,
                              message_thread_id=message_thread_id)

    def press_button(self, user_id: int, message_id: int, data: str, *, chat_id: int | None = None,
                     force: bool = False) -> dict:
        """A user presses the inline button with this callback_data on a message of the bot. The
        button must be on the message as it is now (after edits) unless force=True. The bot must
        answer the callback query (answerCallbackQuery) within callback_ttl seconds."""
        self._known_user(user_id)
        chat = self.chats[user_id] if chat_id is None else self._known_chat(chat_id)
        record = chat.messages.get(int(message_id))
        if record is None or record.deleted:
            raise ControlError(f"no message {message_id} in chat {chat.id}")
        shown = [button.get("callback_data") for button in inline_buttons(record.markup)]
        if not force and data not in shown:
            raise ControlError(f"message {message_id} has no button with callback_data {data!r} now")
        if chat.type != "private":
            self._join(chat, user_id)
        query_id = str(self._random.getrandbits(62))
        self._queries[query_id] = CallbackQuery(query_id, user_id, chat.id, record.message["message_id"],
                                                data, time.monotonic())
        query = {"id": query_id, "from": self._user(user_id), "message": _copy(record.message),
                 "chat_instance": str((chat.id * 2654435761) % (2 ** 63)), "data": data}
        return {"update": self._enqueue("callback_query", query), "callback_query": query}

    def send_contact(self, user_id: int, phone_number: str, *, contact_user_id: int | None | str = "self",
                     first_name: str | None = None, last_name: str | None = None,
                     chat_id: int | None = None) -> dict:
        """A shared contact: the user's own (as a request_contact button shares it) by default, or
        someone else's (contact_user_id=their id), or one with no Telegram account (None)."""
        owner = self._known_user(user_id if contact_user_id == "self" else contact_user_id) \
            if contact_user_id is not None else {}
        contact: dict[str, Any] = {"phone_number": phone_number,
                                   "first_name": first_name or owner.get("first_name") or "联系人"}
        if last_name or owner.get("last_name"):
            contact["last_name"] = last_name or owner["last_name"]
        if owner:
            contact["user_id"] = owner["id"]
        return self._from_user(user_id, {"contact": contact}, chat_id, None, None)

    def send_location(self, user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None,
                      message_thread_id: int | None = None) -> dict:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ControlError("Invalid location specified")
        content = {"location": {"latitude": float(latitude), "longitude": float(longitude)}}
        return self._from_user(user_id, content, chat_id, message_thread_id, None)

    def send_photo(self, user_id: int, *, caption: str | None = None, sizes: list | None = None,
                   file_id: str | None = None, file_unique_id: str | None = None,
                   content: bytes | str | None = None, chat_id: int | None = None,
                   message_thread_id: int | None = None) -> dict:
        """A photo from a user. sizes: [width, height] pairs or PhotoSize-like dicts, smallest first
        (default 90x67, 320x240, 800x600); file_id and file_unique_id name the largest size.
        content: the bytes getFile serves (base64 over HTTP; a 1x1 PNG by default)."""
        wanted = [_photo_size(size) for size in (sizes or [[90, 67], [320, 240], [800, 600]])]
        given = {"file_id": file_id, "file_unique_id": file_unique_id}
        wanted[-1].update({key: value for key, value in given.items() if value})
        message = {"photo": self._photo_files(_content_bytes(content, tiny_png()), wanted)}
        message.update(self._user_caption(caption))
        return self._from_user(user_id, message, chat_id, message_thread_id, None)

    def send_sticker(self, user_id: int, *, emoji: str = "👍", file_id: str | None = None,
                     chat_id: int | None = None, message_thread_id: int | None = None) -> dict:
        info = {"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False,
                "emoji": emoji}
        sticker = self._add_file("sticker", b"RIFF\x00\x00\x00\x00WEBP", info, file_id).json()
        return self._from_user(user_id, {"sticker": sticker}, chat_id, message_thread_id, None)

    def send_voice(self, user_id: int, *, duration: int = 3, file_id: str | None = None,
                   content: bytes | str | None = None, chat_id: int | None = None,
                   message_thread_id: int | None = None) -> dict:
        info = {"duration": int(duration), "mime_type": "audio/ogg"}
        voice = self._add_file("voice", _content_bytes(content, b"OggS\x00"), info, file_id).json()
        return self._from_user(user_id, {"voice": voice}, chat_id, message_thread_id, None)

    def send_document(self, user_id: int, *, file_name: str = "document.pdf",
                      mime_type: str = "application/pdf", caption: str | None = None,
                      file_id: str | None = None, content: bytes | str | None = None,
                      chat_id: int | None = None, message_thread_id: int | None = None) -> dict:
        info = {"file_name": file_name, "mime_type": mime_type}
        document = self._add_file("document", _content_bytes(content, b"%PDF-1.4\n"), info, file_id).json()
        return self._from_user(user_id, {"document": document, **self._user_caption(caption)}, chat_id,
                               message_thread_id, None)

    def edit_message(self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None) -> dict:
        """The user edits a text message of theirs; the bot gets edited_message (edited_channel_post)
        only for a message it got in the first place."""
        chat = self.chats.get(int(user_id)) if chat_id is None else self._known_chat(chat_id)
        record = chat.messages.get(int(message_id)) if chat else None
        if record is None or record.deleted or record.message.get("from", {}).get("id") != user_id \
                or "text" not in record.message:
            raise ControlError(f"user {user_id} has no text message {message_id} there")
        text, entities = clean_text(text, [])
        record.versions.append(_copy(record.message))
        record.message = {key: value for key, value in record.message.items() if key != "entities"}
        record.message.update(text=text, edit_date=int(self.clock()),
                              **_entities_field(found_entities(text, entities)))
        kind = "edited_channel_post" if chat.type == "channel" else "edited_message"
        update = self._enqueue(kind, _copy(record.message)) if record.seen else None
        return {"update": update, "message": _copy(record.message)}

    def post_to_channel(self, chat_id: int, text: str) -> dict:
        """A post in a channel, on behalf of the channel; the bot gets it as channel_post."""
        chat = self._known_chat(chat_id)
        if chat.type != "channel":
            raise ControlError(f"chat {chat_id} is no channel")
        text, entities = clean_text(text, [])
        content = {"text": text, **_entities_field(found_entities(text, entities))}
        record = self._store(chat, self._compose(chat, content, sender=None, sender_chat=chat.json()), "user")
        member = chat.members.get(self.bot_id, {}).get("status") in ("creator", "administrator")
        return {"update": self._deliver(chat, record, "channel_post") if member else None,
                "message": _copy(record.message)}

    def _user_caption(self, caption: str | None) -> dict:
        if not caption:
            return {}
        text, entities = clean_text(caption, [])
        return _caption(text, found_entities(text, entities))

    def _from_user(self, user_id: int, content: dict, chat_id: int | None, thread_id: int | None,
                   reply_to: int | None) -> dict:
        user = self._known_user(user_id)
        chat = self.chats[user["id"]] if chat_id is None else self._known_chat(chat_id)
        if chat.type == "channel":
            raise ControlError("people post in channels through post_to_channel")
        if chat.type != "private":
            self._join(chat, user["id"])
        topic = self._person_topic(chat, user["id"], thread_id)
        reply = chat.messages.get(int(reply_to)) if reply_to else None
        if reply_to and (reply is None or reply.deleted):
            raise ControlError(f"no message {reply_to} to reply to")
        message = self._compose(chat, content, sender=self._user(user["id"]), topic=topic, reply=reply)
        record = self._store(chat, message, "user")
        if chat.type == "private":
            self._started.add(user["id"])
            if user["id"] in self._blocked:
                self.unblock(user["id"])  # writing to a blocked bot restarts it (Telegram's "Restart" button)
        return {"update": self._deliver(chat, record), "message": _copy(message)}

    def _person_topic(self, chat: Chat, user_id: int, thread_id: int | None) -> Topic | None:
        if not thread_id or int(thread_id) == GENERAL_TOPIC_ID:
            return None
        if not chat.is_forum:
            raise ControlError(f"chat {chat.id} is no forum")
        topic = self._known_topic(chat, thread_id)
        status = chat.members.get(user_id, {}).get("status")
        if topic.closed and topic.creator_id != user_id and status not in ("creator", "administrator"):
            raise ControlError("TOPIC_CLOSED: the topic is closed to this user")
        return topic

    # ---- control: faults and flood limits

    def add_fault(self, method: str = "*", kind: str = "retry_after", *, times: int = 1, retry_after: int = 1,
                  deliver: bool = False, hang: float = 10.0) -> dict:
        """Fail the next `times` calls of `method` ('*': any method) with a Fault; queued faults
        come before random ones, in order."""
        fault = Fault(kind, int(retry_after), bool(deliver), float(hang))
        self._faults.queued[method.lower()].extend([fault] * int(times))
        return dataclasses.asdict(fault)

    def set_fault_rate(self, method: str = "*", kind: str = "server_error", probability: float = 0.1, *,
                       retry_after: int = 1, deliver: bool = False, hang: float = 10.0) -> dict:
        """Fail each call of `method` with this fault at the given probability, drawn from the
        generator seeded with `seed`, so the same calls meet the same faults."""
        if not 0.0 <= float(probability) <= 1.0:
            raise ControlError("probability must be between 0 and 1")
        fault = Fault(kind, int(retry_after), bool(deliver), float(hang))
        self._faults.rates[method.lower()].append((float(probability), fault))
        return dataclasses.asdict(fault)

    def clear_faults(self) -> None:
        self._faults.queued.clear()
        self._faults.rates.clear()

    def set_rate_limits(self, enforce: bool | None = None, **limits: int) -> dict:
        """Turn answering flood-limit breaches with 429 on or off (breaches are counted either way)
        and change the limits: private_per_second, private_burst, group_per_minute, overall_per_second."""
        unknown = set(limits) - {field.name for field in dataclasses.fields(RateLimits)}
        if unknown:
            raise ControlError(f"unknown limits: {', '.join(sorted(unknown))}")
        if enforce is not None:
            self.enforce_rate_limits = bool(enforce)
        for name, value in limits.items():
            setattr(self._rates.limits, name, int(value))
        return {"enforce": self.enforce_rate_limits, **dataclasses.asdict(self._rates.limits)}

    def rate_violations(self) -> list[dict]:
        """Every send or edit that broke a flood limit: rule, chat_id, method, time, enforced."""
        return _copy(self._violations)

    # ---- control: what the bot did

    def messages(self, chat_id: int, *, message_thread_id: int | None = None, sender: str | None = None,
                 include_deleted: bool = False) -> list[dict]:
        """A chat's messages in order, as they are now (after edits): all, or one sender's ("bot",
        "user" or "service"), or one forum topic's."""
        chat = self._known_chat(chat_id)
        return [_copy(record.message) for record in chat.messages.values()
                if (include_deleted or not record.deleted) and sender in (None, record.sender)
                and message_thread_id in (None, record.message.get("message_thread_id"))]

    def bot_messages(self, chat_id: int, *, message_thread_id: int | None = None) -> list[dict]:
        return self.messages(chat_id, message_thread_id=message_thread_id, sender="bot")

    def texts(self, chat_id: int, *, message_thread_id: int | None = None) -> list[str]:
        """The text (or caption) of each message the bot has in the chat now."""
        return [message.get("text", message.get("caption", ""))
                for message in self.bot_messages(chat_id, message_thread_id=message_thread_id)]

    def message(self, chat_id: int, message_id: int) -> dict | None:
        record = self._known_chat(chat_id).messages.get(int(message_id))
        return None if record is None or record.deleted else _copy(record.message)

    def message_history(self, chat_id: int, message_id: int) -> dict:
        """A message's states, oldest first (one per edit), and whether it was deleted."""
        record = self._known_chat(chat_id).messages.get(int(message_id))
        if record is None:
            raise ControlError(f"no message {message_id} in chat {chat_id}")
        return {"versions": _copy(record.versions + [record.message]), "deleted": record.deleted}

    def keyboard(self, chat_id: int, message_id: int) -> dict | None:
        """The reply_markup of any kind the bot last sent or edited the message with (a Message
        object shows only inline keyboards)."""
        record = self._known_chat(chat_id).messages.get(int(message_id))
        if record is None:
            raise ControlError(f"no message {message_id} in chat {chat_id}")
        return _copy(record.markup)

    def reply_keyboard(self, chat_id: int) -> dict | None:
        """The reply keyboard the chat shows now: the last one sent, until a remove_keyboard."""
        return _copy(self._known_chat(chat_id).reply_keyboard)

    def callback_answers(self, callback_query_id: str | None = None) -> list[dict]:
        return [_copy(answer) for answer in self._answers
                if callback_query_id in (None, answer["callback_query_id"])]

    def chat_actions(self, chat_id: int) -> list[dict]:
        return _copy(self._known_chat(chat_id).actions)

    def calls(self, method: str | None = None) -> list[dict]:
        """Every Bot API call in order: method, params, time, status (None: dropped by a timeout
        fault), description, fault, and delivered (whether it was carried out)."""
        return [_copy(call) for call in self._calls
                if method is None or call["method"].lower() == method.lower()]

    def call_count(self, method: str | None = None, *, status: int | None = None) -> int:
        return sum(1 for call in self.calls(method) if status in (None, call["status"]))

    def pending_updates(self) -> list[dict]:
        return _copy(self._updates)

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return _copy(self._commands.get((key, language_code), []))

    def topics(self, chat_id: int) -> list[dict]:
        return [{**topic.json(), "creator_id": topic.creator_id, "closed": topic.closed,
                 "deleted": bool(topic.deleted_by)} for topic in self._known_chat(chat_id).topics.values()]

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until predicate() returns something true and return it (asyncio.TimeoutError after
        timeout); it is checked again whenever the stand-in's state changes."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise asyncio.TimeoutError(f"nothing came within {timeout} s")
            await self._signal.wait(remaining)

    async def wait_for_messages(self, chat_id: int, count: int = 1, *, message_thread_id: int | None = None,
                                timeout: float = 5.0) -> list[dict]:
        """Wait until the bot has at least `count` messages in the chat (or topic); returns them all."""
        def enough() -> list[dict]:
            found = self.bot_messages(chat_id, message_thread_id=message_thread_id)
            return found if len(found) >= int(count) else []
        return await self.wait_until(enough, float(timeout))

    async def wait_for_calls(self, method: str, count: int = 1, *, timeout: float = 5.0) -> list[dict]:
        """Wait until the bot made at least `count` calls of `method`; returns them all."""
        def enough() -> list[dict]:
            found = self.calls(method)
            return found if len(found) >= int(count) else []
        return await self.wait_until(enough, float(timeout))


class ThreadedStandIn:
    """A StandIn on an event loop of its own in a daemon thread. Its methods run on that loop, so
    they are safe to call from any thread, and return their results (coroutines are awaited there);
    attributes such as base_url, api_url, token and bot_id are read directly."""

    def __init__(self, factory: Callable[..., StandIn], kwargs: dict):
        self.standin: StandIn | None = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, args=(factory, kwargs), name="telegram-standin",
                                        daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure

    def _serve(self, factory: Callable[..., StandIn], kwargs: dict) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self.standin = factory(**kwargs)
            self._loop.run_until_complete(self.standin.start())
        except BaseException as error:  # handed to the thread that started it
            self._failure = error
            self._ready.set()
            self._loop.close()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    def call(self, function: Callable, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is self._thread:
            raise RuntimeError("on the stand-in's own loop, use handle.standin directly")  # would deadlock
        async def run() -> Any:
            result = function(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result
        return asyncio.run_coroutine_threadsafe(run(), self._loop).result()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attribute = getattr(self.standin, name)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: self.call(attribute, *args, **kwargs)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self.standin.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> ThreadedStandIn:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def _caption(caption: str, entities: list[dict]) -> dict:
    if not caption:
        return {}
    return {"caption": caption, **({"caption_entities": entities} if entities else {})}


def _entities_field(entities: list[dict]) -> dict:
    return {"entities": entities} if entities else {}


def _without_edit_date(message: dict) -> dict:
    return {key: value for key, value in message.items() if key != "edit_date"}


def _topic_toggled(closed: bool) -> dict:
    return {"forum_topic_closed" if closed else "forum_topic_reopened": {}}


def _sizes(width: int, height: int) -> list[dict]:
    return [{"width": w, "height": h} for w, h in _photo_dimensions(width, height)]


def _photo_size(size: Any) -> dict:
    if isinstance(size, dict):
        return {key: size[key] for key in ("width", "height", "file_id", "file_unique_id") if key in size}
    width, height = size
    return {"width": int(width), "height": int(height)}


def _topic_name(raw: str) -> str:
    """A topic name cleaned as a chat title: runs of spaces and line breaks made one space, trimmed,
    cut to 128 characters."""
    name = " ".join(raw.split())[:128]
    if not name:
        raise bad_request("title must be non-empty")
    return name


def _bot_command(value: Any) -> dict:
    """A BotCommand checked as TDLib checks it: a leading '/' dropped, both fields trimmed."""
    if not isinstance(value, dict):
        raise bad_request("can't parse BotCommand: expected an Object")
    for field in ("command", "description"):
        if not isinstance(value.get(field), str):
            raise bad_request(f'can\'t parse BotCommand: Can\'t find field "{field}"')
    command = value["command"].strip()
    command = command[1:] if command.startswith("/") else command
    description = value["description"].strip()
    if not command:
        raise bad_request("command must be non-empty")
    if len(command) > 32:
        raise bad_request("command length must not exceed 32")
    if not description:
        raise bad_request("command description must be non-empty")
    if len(description) > 256:
        raise bad_request("command description length must not exceed 256")
    return {"command": command, "description": description}


def _json_response(body: dict, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=_compact_json)


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # as Telegram writes it


def _loose_json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value
