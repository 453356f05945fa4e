"""The Telegram Bot API stand-in answers as Telegram documents it, through raw HTTP and through
python-telegram-bot. Expected texts are Telegram's (Bot API docs, tdlib/telegram-bot-api), not
what a bot would like to hear."""
from __future__ import annotations

import asyncio
import functools
import json
import time

import httpx
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, Update
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from .botapi import StandIn, tiny_png

NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")


def async_test(function):
    """Run an async test on a fresh event loop (the venv has no pytest-asyncio)."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        return asyncio.run(function(*args, **kwargs))
    return run


async def call(standin: StandIn, method: str, *, form: bool = False, **params) -> tuple[int, dict]:
    """A raw Bot API call: JSON body by default, form-encoded (JSON-encoded fields) with form=True."""
    async with httpx.AsyncClient(verify=False) as client:  # plain HTTP: no certificates to load
        if form:
            data = {key: value if isinstance(value, str) else json.dumps(value) for key, value in params.items()}
            response = await client.post(f"{standin.api_url}/{method}", data=data)
        else:
            response = await client.post(f"{standin.api_url}/{method}", json=params)
    return response.status_code, response.json()


def inline(*rows) -> dict:
    return {"inline_keyboard": [[{"text": text, "callback_data": data} for text, data in row] for row in rows]}


# ---------------------------------------------------------------------------- wire format

@async_test
async def test_a_wrong_token_is_401_and_an_unknown_method_404_as_telegram_writes_them():
    async with StandIn() as standin, httpx.AsyncClient(verify=False) as client:
        wrong = await client.get(f"{standin.root}/bot123:XYZ/getMe")
        unknown = await client.get(f"{standin.api_url}/sendTelepathy")
    assert (wrong.status_code, wrong.text) == (401, '{"ok":false,"error_code":401,"description":"Unauthorized"}')
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


@async_test
async def test_every_request_encoding_reads_alike_and_method_names_ignore_case():
    async with StandIn() as standin, httpx.AsyncClient(verify=False) as client:
        ada = standin.add_user("Ada", started=True)
        by_query = await client.get(f"{standin.api_url}/sendMessage", params={"chat_id": ada["id"], "text": "一"})
        by_form = await client.post(f"{standin.api_url}/SENDMESSAGE", data={"chat_id": str(ada["id"]), "text": "二"})
        by_json = await client.post(f"{standin.api_url}/sendmessage", json={"chat_id": ada["id"], "text": "三"})
        by_multipart = await client.post(f"{standin.api_url}/sendMessage",
                                         data={"chat_id": str(ada["id"]), "text": "四"},
                                         files={"unused": ("a.txt", b"x")})
    assert [r.json()["result"]["text"] for r in (by_query, by_form, by_json, by_multipart)] == ["一", "二", "三", "四"]
    assert standin.texts(ada["id"]) == ["一", "二", "三", "四"]
    assert [call_["method"] for call_ in standin.calls()] == ["sendMessage"] * 4


@async_test
async def test_a_sent_message_keeps_text_entities_and_keyboard_and_the_chat_its_reply_keyboard():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        status, body = await call(standin, "sendMessage", form=True, chat_id=str(ada["id"]),
                                  text="请<b>选择</b>类别", parse_mode="HTML", reply_markup=inline([("噪音", "cat:noise")]))
        assert status == 200 and body["ok"] is True
        sent = body["result"]
        assert sent["text"] == "请选择类别"
        assert sent["entities"] == [{"type": "bold", "offset": 1, "length": 2}]
        assert sent["reply_markup"] == inline([("噪音", "cat:noise")])
        assert sent["from"]["id"] == standin.bot_id and sent["chat"] == {"id": ada["id"], "type": "private",
                                                                          "first_name": "Ada"}
        phone = {"keyboard": [[{"text": "分享手机号", "request_contact": True}], ["取消"]], "resize_keyboard": True,
                 "one_time_keyboard": True}
        _, body = await call(standin, "sendMessage", chat_id=ada["id"], text="请分享手机号", reply_markup=phone)
        assert "reply_markup" not in body["result"]  # a Message shows inline keyboards only
        assert standin.reply_keyboard(ada["id"])["keyboard"] == [[{"text": "分享手机号", "request_contact": True}],
                                                                 [{"text": "取消"}]]
        assert standin.keyboard(ada["id"], body["result"]["message_id"])["one_time_keyboard"] is True
        await call(standin, "sendMessage", chat_id=ada["id"], text="好的", reply_markup={"remove_keyboard": True})
        assert standin.reply_keyboard(ada["id"]) is None
        assert [m["message_id"] for m in standin.bot_messages(ada["id"])] == [1, 2, 3]


@async_test
async def test_send_message_refusals_carry_telegrams_descriptions():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        stranger = standin.add_user("Bo")

        async def refused(**params) -> str:
            status, body = await call(standin, "sendMessage", **params)
            assert status == body["error_code"]
            return body["description"]

        assert await refused(chat_id=ada["id"], text="") == "Bad Request: message text is empty"
        assert await refused(chat_id=ada["id"], text=" \n ") == "Bad Request: text must be non-empty"
        assert await refused(text="x") == "Bad Request: chat_id is empty"
        assert await refused(chat_id=777, text="x") == "Bad Request: chat not found"
        assert await refused(chat_id=stranger["id"], text="x") == \
            "Forbidden: bot can't initiate conversation with a user"
        assert await refused(chat_id=ada["id"], text="街" * 4097) == "Bad Request: message is too long"
        assert await refused(chat_id=ada["id"], text="<b>街</b>" + "街" * 4096, parse_mode="HTML") == \
            "Bad Request: message is too long"
        assert await refused(chat_id=ada["id"], text="x", parse_mode="XML") == "Bad Request: unsupported parse_mode"
        # 22 Chinese characters are 66 bytes of UTF-8: over callback_data's 64 bytes.
        assert await refused(chat_id=ada["id"], text="x", reply_markup=inline([("b", "工" * 22)])) == \
            "Bad Request: BUTTON_DATA_INVALID"
        assert await refused(chat_id=ada["id"], text="x", reply_markup={"inline_keyboard": [[{"text": "b"}]]}) == \
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        assert await refused(chat_id=ada["id"], text="x", reply_to_message_id=99) == \
            "Bad Request: message to be replied not found"
        assert await refused(chat_id=ada["id"], text="x", message_thread_id=5) == \
            "Bad Request: message thread not found"
        status, body = await call(standin, "sendMessage", form=True, chat_id=str(ada["id"]), text="x",
                                  reply_markup="{not json")
        assert body["description"] == "Bad Request: can't parse reply keyboard markup JSON object"
        assert (await call(standin, "sendMessage", chat_id=ada["id"], text="街" * 4096))[0] == 200
        assert (await call(standin, "sendMessage", chat_id=ada["id"], text="x",
                           reply_markup=inline([("b", "工" * 21 + "a")])))[0] == 200
        assert standin.call_count("sendMessage", status=400) == 12


@pytest.mark.parametrize(("html", "description"), [
    ("<blink>hi</blink>", 'Unsupported start tag "blink" at byte offset 0'),
    ("<b>加急", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b>a</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<a href=x", "Unclosed start tag at byte offset 0"),
    ('<span class="big">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
])
@async_test
async def test_malformed_html_is_refused_with_tdlibs_reason(html, description):
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        status, body = await call(standin, "sendMessage", chat_id=ada["id"], text=html, parse_mode="HTML")
    assert (status, body["description"]) == (400, "Bad Request: can't parse entities: " + description)


@async_test
async def test_html_entities_links_and_code_parse_as_telegram_parses_them():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        html = ('R&amp;D &lt;3 & 5 <a href="example.com">站</a> <pre><code class="language-py">x=1</code></pre>'
                f' <a href="tg://user?id={ada["id"]}">Ada</a>')
        status, body = await call(standin, "sendMessage", chat_id=ada["id"], text=html, parse_mode="HTML")
    assert status == 200  # a bare '&' that starts no entity is kept, as TDLib keeps it
    assert body["result"]["text"] == "R&D <3 & 5 站 x=1 Ada"
    assert body["result"]["entities"] == [
        {"type": "text_link", "offset": 11, "length": 1, "url": "http://example.com/"},
        {"type": "pre", "offset": 13, "length": 3, "language": "py"},
        {"type": "text_mention", "offset": 17, "length": 3, "user": ada},
    ]


@async_test
async def test_markdown_v2_wants_reserved_characters_escaped_outside_entities():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        _, unescaped = await call(standin, "sendMessage", chat_id=ada["id"], text="工单号 2026.1",
                                  parse_mode="MarkdownV2")
        _, unclosed = await call(standin, "sendMessage", chat_id=ada["id"], text="*加急", parse_mode="MarkdownV2")
        _, fine = await call(standin, "sendMessage", chat_id=ada["id"], parse_mode="MarkdownV2",
                             text=r"*工单* _2026\.1_ `a.b` [链接](https://example.com/a\)b)")
    assert unescaped["description"] == ("Bad Request: can't parse entities: Character '.' is reserved and must be "
                                        "escaped with the preceding '\\'")
    assert unclosed["description"] == \
        "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"
    assert fine["result"]["text"] == "工单 2026.1 a.b 链接"
    assert fine["result"]["entities"] == [
        {"type": "bold", "offset": 0, "length": 2}, {"type": "italic", "offset": 3, "length": 6},
        {"type": "code", "offset": 10, "length": 3},
        {"type": "text_link", "offset": 14, "length": 2, "url": "https://example.com/a)b"},
    ]


@async_test
async def test_replies_link_previews_and_location_buttons_are_kept():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        asked = standin.send_text(ada["id"], "怎么报修？")["message"]
        _, reply = await call(standin, "sendMessage", chat_id=ada["id"], text="见 https://example.com",
                              reply_parameters={"message_id": asked["message_id"]},
                              link_preview_options={"is_disabled": True},
                              reply_markup={"keyboard": [[{"text": "发送位置", "request_location": True}]]})
        _, orphan = await call(standin, "sendMessage", chat_id=ada["id"], text="x",
                               reply_parameters={"message_id": 999, "allow_sending_without_reply": True})
        _, legacy = await call(standin, "sendMessage", chat_id=ada["id"], text="x", reply_to_message_id=999)
    assert reply["result"]["reply_to_message"] == asked
    assert reply["result"]["link_preview_options"] == {"is_disabled": True}
    assert reply["result"]["entities"] == [{"type": "url", "offset": 2, "length": 19}]
    assert standin.reply_keyboard(ada["id"]) == {"keyboard": [[{"text": "发送位置", "request_location": True}]]}
    assert "reply_to_message" not in orphan["result"]
    assert legacy["description"] == "Bad Request: message to be replied not found"


# ---------------------------------------------------------------------------- edits and deletions

@async_test
async def test_edits_change_text_and_keyboard_and_refuse_what_telegram_refuses():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        _, sent = await call(standin, "sendMessage", chat_id=ada["id"], text="请选择", reply_markup=inline([("是", "y")]))
        message_id = sent["result"]["message_id"]
        _, same = await call(standin, "editMessageText", chat_id=ada["id"], message_id=message_id, text="请选择",
                             reply_markup=inline([("是", "y")]))
        assert same["description"] == NOT_MODIFIED
        _, edited = await call(standin, "editMessageText", chat_id=ada["id"], message_id=message_id, text="已选择：是")
        assert edited["result"]["text"] == "已选择：是" and "edit_date" in edited["result"]
        assert "reply_markup" not in edited["result"]  # an edit without reply_markup removes the keyboard
        _, markup = await call(standin, "editMessageReplyMarkup", chat_id=ada["id"], message_id=message_id,
                               reply_markup=inline([("撤销", "undo")]))
        assert markup["result"]["reply_markup"] == inline([("撤销", "undo")])
        assert standin.message(ada["id"], message_id)["reply_markup"] == inline([("撤销", "undo")])
        assert [v["text"] for v in standin.message_history(ada["id"], message_id)["versions"]] == \
            ["请选择", "已选择：是", "已选择：是"]

        _, missing = await call(standin, "editMessageText", chat_id=ada["id"], message_id=99, text="x")
        _, keyboard = await call(standin, "sendMessage", chat_id=ada["id"], text="k",
                                 reply_markup={"keyboard": [["a"]]})
        _, with_reply_keyboard = await call(standin, "editMessageText", chat_id=ada["id"],
                                            message_id=keyboard["result"]["message_id"], text="x")
        users = standin.send_text(ada["id"], "我的消息")["message"]
        _, theirs = await call(standin, "editMessageText", chat_id=ada["id"], message_id=users["message_id"],
                               text="x")
        assert missing["description"] == "Bad Request: message to edit not found"
        assert with_reply_keyboard["description"] == "Bad Request: message can't be edited"
        assert theirs["description"] == "Bad Request: message can't be edited"


@async_test
async def test_deletion_follows_the_documented_rules():
    now = [1_800_000_000.0]
    async with StandIn(clock=lambda: now[0]) as standin:
        ada = standin.add_user("Ada", started=True)
        _, sent = await call(standin, "sendMessage", chat_id=ada["id"], text="临时")
        _, old = await call(standin, "sendMessage", chat_id=ada["id"], text="旧")
        message_id = sent["result"]["message_id"]
        assert (await call(standin, "deleteMessage", chat_id=ada["id"], message_id=message_id))[1] == \
            {"ok": True, "result": True}
        assert standin.message(ada["id"], message_id) is None and standin.texts(ada["id"]) == ["旧"]
        _, again = await call(standin, "deleteMessage", chat_id=ada["id"], message_id=message_id)
        assert again["description"] == "Bad Request: message to delete not found"
        now[0] += 48 * 3600
        _, too_old = await call(standin, "deleteMessage", chat_id=ada["id"], message_id=old["result"]["message_id"])
        assert too_old["description"] == "Bad Request: message can't be deleted"


# ---------------------------------------------------------------------------- updates

@async_test
async def test_long_polling_returns_as_soon_as_an_update_arrives_and_an_offset_confirms():
    async with StandIn() as standin:
        ada = standin.add_user("Ada")
        started = time.monotonic()
        poll = asyncio.create_task(call(standin, "getUpdates", timeout=10))
        await asyncio.sleep(0.2)
        injected = standin.send_text(ada["id"], "你好")
        status, body = await poll
        assert status == 200 and time.monotonic() - started < 2
        assert body["result"] == [injected["update"]]
        update_id = injected["update"]["update_id"]
        standin.send_text(ada["id"], "在吗")
        _, again = await call(standin, "getUpdates")  # unconfirmed updates come again
        assert [u["update_id"] for u in again["result"]] == [update_id, update_id + 1]
        _, rest = await call(standin, "getUpdates", offset=update_id + 1, limit=1)
        assert [u["update_id"] for u in rest["result"]] == [update_id + 1]
        assert [u["update_id"] for u in standin.pending_updates()] == [update_id + 1]
        _, empty = await call(standin, "getUpdates", offset=update_id + 2, timeout=0)
        assert empty["result"] == [] and standin.pending_updates() == []


@async_test
async def test_a_second_waiting_poll_ends_the_first_with_409():
    async with StandIn() as standin:
        first = asyncio.create_task(call(standin, "getUpdates", timeout=5))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(call(standin, "getUpdates", timeout=1))
        status, body = await first
        assert (status, body["description"]) == (409, "Conflict: terminated by other getUpdates request; make sure "
                                                      "that only one bot instance is running")
        second.cancel()
        with pytest.raises(asyncio.CancelledError):
            await second


@async_test
async def test_allowed_updates_drops_other_kinds_from_then_on():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        _, sent = await call(standin, "sendMessage", chat_id=ada["id"], text="选", reply_markup=inline([("是", "y")]))
        before = standin.send_text(ada["id"], "之前")
        await call(standin, "getUpdates", allowed_updates=["callback_query"])
        after = standin.send_text(ada["id"], "之后")
        press = standin.press_button(ada["id"], sent["result"]["message_id"], "y")
        _, updates = await call(standin, "getUpdates")
    assert before["update"] is not None and after["update"] is None
    assert [u["update_id"] for u in updates["result"]] == [before["update"]["update_id"],
                                                           press["update"]["update_id"]]


@async_test
async def test_a_webhook_gets_updates_with_its_secret_and_blocks_get_updates():
    received, answers = [], [500, 200]

    async def webhook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=answers.pop(0) if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        async with StandIn() as standin:
            ada = standin.add_user("Ada")
            _, bad_secret = await call(standin, "setWebhook", url=hook_url, secret_token="a b")
            _, was_set = await call(standin, "setWebhook", url=hook_url, secret_token="s3cret_-")
            _, conflict = await call(standin, "getUpdates")
            update = standin.send_text(ada["id"], "你好")["update"]
            await standin.wait_until(lambda: len(received) == 2)
            await standin.wait_until(lambda: not standin.pending_updates())
            _, info = await call(standin, "getWebhookInfo")
            _, deleted = await call(standin, "deleteWebhook")
    finally:
        await runner.cleanup()
    assert bad_secret["description"] == "Bad Request: secret token contains unallowed characters"
    assert was_set == {"ok": True, "result": True, "description": "Webhook was set"}
    assert (conflict["error_code"], conflict["description"]) == (
        409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
             "webhook first")
    assert received == [("s3cret_-", update), ("s3cret_-", update)]  # refused once, so sent again
    assert info["result"]["pending_update_count"] == 0 and info["result"]["url"] == hook_url
    assert info["result"]["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    assert deleted == {"ok": True, "result": True, "description": "Webhook was deleted"}


@async_test
async def test_a_callback_query_is_answered_once_and_only_in_time():
    async with StandIn(callback_ttl=0.2) as standin:
        ada = standin.add_user("Ada", started=True)
        _, sent = await call(standin, "sendMessage", chat_id=ada["id"], text="选", reply_markup=inline([("是", "y")]))
        message_id = sent["result"]["message_id"]
        press = standin.press_button(ada["id"], message_id, "y")
        query = press["update"]["callback_query"]
        assert query["data"] == "y" and query["message"]["message_id"] == message_id
        assert (await call(standin, "answerCallbackQuery", callback_query_id=query["id"], text="已选"))[0] == 200
        _, twice = await call(standin, "answerCallbackQuery", callback_query_id=query["id"])
        _, unknown = await call(standin, "answerCallbackQuery", callback_query_id="12345")
        late = standin.press_button(ada["id"], message_id, "y")["callback_query"]
        await asyncio.sleep(0.3)
        _, too_late = await call(standin, "answerCallbackQuery", callback_query_id=late["id"])
        with pytest.raises(ValueError, match="no button"):
            standin.press_button(ada["id"], message_id, "n")
    invalid = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert twice["description"] == unknown["description"] == too_late["description"] == invalid
    assert [(a["callback_query_id"], a["text"]) for a in standin.callback_answers()] == [(query["id"], "已选")]


# ---------------------------------------------------------------------------- forum topics

@async_test
async def test_topics_are_created_closed_reopened_and_deleted_as_telegram_allows():
    async with StandIn() as standin:
        staff = standin.add_user("网格员")
        group = standin.add_supergroup("街道工作群")
        _, created = await call(standin, "createForumTopic", chat_id=group["id"], name="  工单  #17 ")
        topic = created["result"]
        assert topic == {"message_thread_id": topic["message_thread_id"], "name": "工单 #17", "icon_color": 7322096}
        thread = topic["message_thread_id"]
        _, sent = await call(standin, "sendMessage", chat_id=group["id"], message_thread_id=thread, text="新工单")
        assert sent["result"]["message_thread_id"] == thread and sent["result"]["is_topic_message"] is True
        assert sent["result"]["reply_to_message"]["forum_topic_created"]["name"] == "工单 #17"
        assert (await call(standin, "closeForumTopic", chat_id=group["id"], message_thread_id=thread))[0] == 200
        _, closed_twice = await call(standin, "closeForumTopic", chat_id=group["id"], message_thread_id=thread)
        # An administrator who may manage topics still posts in a closed topic (TDLib).
        noted = await call(standin, "sendMessage", chat_id=group["id"], message_thread_id=thread, text="备注")
        assert noted[0] == 200
        assert (await call(standin, "reopenForumTopic", chat_id=group["id"], message_thread_id=thread))[0] == 200
        assert (await call(standin, "editForumTopic", chat_id=group["id"], message_thread_id=thread,
                           name="工单 #17 已派单"))[0] == 200
        _, same_name = await call(standin, "editForumTopic", chat_id=group["id"], message_thread_id=thread,
                                  name="工单 #17 已派单")
        assert same_name["description"] == "Bad Request: TOPIC_NOT_MODIFIED"
        assert [m.get("text") or next(k for k in m if k.startswith("forum_topic"))
                for m in standin.messages(group["id"], message_thread_id=thread)] == \
            ["forum_topic_created", "新工单", "forum_topic_closed", "备注", "forum_topic_reopened", "forum_topic_edited"]
        _, general = await call(standin, "sendMessage", chat_id=group["id"], message_thread_id=1, text="x")
        assert (await call(standin, "deleteForumTopic", chat_id=group["id"], message_thread_id=thread))[0] == 200
        _, after_delete = await call(standin, "sendMessage", chat_id=group["id"], message_thread_id=thread, text="x")
        _, not_forum = await call(standin, "createForumTopic",
                                  chat_id=standin.add_supergroup("普通群", is_forum=False)["id"], name="t")
    assert closed_twice["description"] == "Bad Request: TOPIC_NOT_MODIFIED"
    assert general["description"] == after_delete["description"] == "Bad Request: message thread not found"
    assert standin.messages(group["id"], message_thread_id=thread) == []
    assert not_forum["description"] == "Bad Request: the chat is not a forum"
    assert standin.topics(group["id"])[0]["deleted"] is True and staff["first_name"] == "网格员"


@async_test
async def test_staff_closing_or_deleting_a_topic_refuses_a_bot_that_may_not_manage_topics():
    async with StandIn() as standin:
        staff = standin.add_user("值班长")
        group = standin.add_supergroup("街道工作群", can_manage_topics=False)
        _, no_rights = await call(standin, "createForumTopic", chat_id=group["id"], name="工单")
        opened = standin.create_topic(group["id"], "工单 #18", staff["id"])["message_thread_id"]
        said = standin.send_text(staff["id"], "我来处理", chat_id=group["id"], message_thread_id=opened)["update"]
        assert said["message"]["message_thread_id"] == opened and said["message"]["is_topic_message"] is True
        assert said["message"]["reply_to_message"]["forum_topic_created"]["name"] == "工单 #18"
        closing = standin.close_topic(group["id"], opened, staff["id"])
        assert closing["update"]["message"]["forum_topic_closed"] == {}
        _, closed = await call(standin, "sendMessage", chat_id=group["id"], message_thread_id=opened, text="x")
        _, not_allowed = await call(standin, "reopenForumTopic", chat_id=group["id"], message_thread_id=opened)
        standin.reopen_topic(group["id"], opened, staff["id"])
        reopened = await call(standin, "sendMessage", chat_id=group["id"], message_thread_id=opened, text="ok")
        assert reopened[0] == 200
        standin.delete_topic(group["id"], opened)
        _, deleted = await call(standin, "sendMessage", chat_id=group["id"], message_thread_id=opened, text="x")
    assert no_rights["description"] == "Bad Request: not enough rights to create a topic"
    assert closed["description"] == "Bad Request: TOPIC_CLOSED"
    assert not_allowed["description"] == "Bad Request: not enough rights to close or open the topic"
    assert deleted["description"] == "Bad Request: TOPIC_DELETED"


# ---------------------------------------------------------------------------- through python-telegram-bot

@async_test
async def test_python_telegram_bot_meets_the_documented_errors_as_its_exceptions():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        blocker = standin.add_user("Bo", started=True)
        old_group = standin.add_group("旧群", bot_status="administrator")
        async with Bot(**standin.bot_kwargs()) as bot:
            assert (await bot.get_me()).username == "standin_bot"
            standin.add_fault("sendMessage", "retry_after", retry_after=7)
            with pytest.raises(RetryAfter) as flood:
                await bot.send_message(ada["id"], "x")
            assert flood.value.retry_after == 7
            standin.block(blocker["id"])
            with pytest.raises(Forbidden, match="^Forbidden: bot was blocked by the user$"):
                await bot.send_message(blocker["id"], "x")
            standin.send_command(blocker["id"], "start")  # restarting the bot unblocks it
            await bot.send_message(blocker["id"], "欢迎回来")
            updates = standin.pending_updates()
            kinds = [next(key for key in update if key != "update_id") for update in updates]
            assert kinds == ["my_chat_member", "my_chat_member", "message"]
            # Both changes read as python-telegram-bot's own types: banned members carry until_date.
            blocked, unblocked = (Update.de_json(u, bot).my_chat_member for u in updates[:2])
            assert (blocked.old_chat_member.status, blocked.new_chat_member.status) == ("member", "kicked")
            assert (unblocked.old_chat_member.status, unblocked.new_chat_member.status) == ("kicked", "member")
            assert type(unblocked.old_chat_member).__name__ == "ChatMemberBanned"  # with its until_date
            new_group = standin.migrate_group(old_group["id"])
            with pytest.raises(ChatMigrated) as migrated:
                await bot.send_message(old_group["id"], "x")
            assert migrated.value.new_chat_id == new_group["id"]
            with pytest.raises(BadRequest, match="^Chat not found$"):
                await bot.send_message(424242, "x")
            with pytest.raises(BadRequest, match="^Button_data_invalid$"):  # PTB capitalizes the text
                await bot.send_message(ada["id"], "x", reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("b", callback_data="数" * 22)]]))
            standin.add_fault("sendMessage", "server_error")
            standin.add_fault("sendMessage", "bad_gateway")
            for _ in range(2):
                with pytest.raises(NetworkError):
                    await bot.send_message(ada["id"], "x")
            await bot.set_webhook("http://127.0.0.1:9/hook")
            with pytest.raises(Conflict):
                await bot.get_updates()
            await bot.delete_webhook()
        assert standin.texts(ada["id"]) == [] and standin.texts(blocker["id"]) == ["欢迎回来"]
        assert [c["status"] for c in standin.calls("sendMessage")] == [429, 403, 200, 400, 400, 400, 500, 502]


@async_test
async def test_a_held_request_times_out_and_the_log_says_whether_it_was_delivered():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        standin.add_fault("sendMessage", "timeout", deliver=True, hang=2.0)
        standin.add_fault("sendMessage", "timeout", deliver=False, hang=2.0)
        async with Bot(**standin.bot_kwargs(), request=HTTPXRequest(read_timeout=0.3)) as bot:
            for text in ("送达了", "没送达"):
                with pytest.raises(TimedOut):
                    await bot.send_message(ada["id"], text)
        calls = standin.calls("sendMessage")
    assert [(c["fault"], c["status"], c["delivered"]) for c in calls] == [("timeout", None, True),
                                                                          ("timeout", None, False)]
    assert standin.texts(ada["id"]) == ["送达了"]


@async_test
async def test_random_faults_repeat_with_the_same_seed():
    async def statuses(seed: int) -> list:
        async with StandIn(seed=seed) as standin:
            ada = standin.add_user("Ada", started=True)
            standin.set_fault_rate("sendMessage", "server_error", 0.5)
            return [(await call(standin, "sendMessage", chat_id=ada["id"], text="x"))[0] for _ in range(12)]

    first, second = await statuses(7), await statuses(7)
    assert first == second and {200, 500} == set(first)


@async_test
async def test_a_bot_reads_injected_updates_of_every_kind_through_ptb():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", last_name="Lovelace")
        neighbour = standin.add_user("Bo")
        group = standin.add_group("楼栋群")
        channel = standin.add_channel("街道公告")
        injected = [
            standin.send_command(ada["id"], "start", "ref42"),
            standin.send_contact(ada["id"], "8613800138000"),
            standin.send_contact(ada["id"], "8613900139000", contact_user_id=neighbour["id"]),
            standin.send_location(ada["id"], 31.23, 121.47),
            standin.send_photo(ada["id"], caption="漏水", file_id="AgACphoto1", file_unique_id="AQADphoto1"),
            standin.send_sticker(ada["id"]),
            standin.send_voice(ada["id"], duration=4),
            standin.send_document(ada["id"], file_name="证明.pdf"),
            standin.send_text(ada["id"], "/report@standin_bot 3楼", chat_id=group["id"]),
            standin.post_to_channel(channel["id"], "停水通知"),
        ]
        edited = standin.edit_message(ada["id"], injected[0]["message"]["message_id"], "/start ref43")
        async with Bot(**standin.bot_kwargs()) as bot:
            updates = await bot.get_updates()
            photo_file = await bot.get_file("AgACphoto1")
            content = await photo_file.download_as_bytearray()
    expected = [i["update"]["update_id"] for i in injected + [edited]]
    assert [u.update_id for u in updates] == expected
    command, own, other, location, photo_update, sticker, voice, document, group_message, post, edit = updates
    assert command.message.text == "/start ref42" and command.message.entities[0].type == "bot_command"
    assert own.message.contact.user_id == ada["id"] and own.message.contact.last_name == "Lovelace"
    assert other.message.contact.user_id == neighbour["id"]
    assert (location.message.location.latitude, location.message.location.longitude) == (31.23, 121.47)
    assert photo_update.message.photo[-1].file_id == "AgACphoto1" and photo_update.message.caption == "漏水"
    assert [(p.width, p.height) for p in photo_update.message.photo] == [(90, 67), (320, 240), (800, 600)]
    assert sticker.message.sticker.emoji == "👍" and voice.message.voice.duration == 4
    assert document.message.document.file_name == "证明.pdf"
    assert group_message.message.chat.type == "group" and group_message.message.from_user.id == ada["id"]
    assert post.channel_post.sender_chat.id == channel["id"] and post.channel_post.from_user is None
    assert edit.edited_message.text == "/start ref43" and edit.edited_message.edit_date is not None
    assert bytes(content) == tiny_png()


@async_test
async def test_photos_upload_as_multipart_resend_by_file_id_and_download():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        async with Bot(**standin.bot_kwargs()) as bot:
            sent = await bot.send_photo(ada["id"], tiny_png(1600, 1200), caption="<i>现场</i>", parse_mode="HTML")
            assert [(p.width, p.height) for p in sent.photo] == [(90, 68), (320, 240), (800, 600), (1280, 960),
                                                                  (1600, 1200)]
            assert sent.caption == "现场" and sent.caption_entities[0].type == "italic"
            again = await bot.send_photo(ada["id"], sent.photo[-1].file_id)
            assert [p.file_id for p in again.photo] == [p.file_id for p in sent.photo]
            downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
            assert bytes(downloaded) == tiny_png(1600, 1200)
            with pytest.raises(BadRequest, match="^Image_process_failed$"):
                await bot.send_photo(ada["id"], b"not an image")
            with pytest.raises(BadRequest, match="^Wrong file identifier/http url specified$"):
                await bot.send_photo(ada["id"], "AgACunknown")
            with pytest.raises(BadRequest, match="^Invalid file_id$"):
                await bot.get_file("AgACunknown")
        assert standin.calls("sendPhoto")[0]["params"]["photo"].startswith("<upload ")  # sent as multipart


@async_test
async def test_copies_chat_actions_commands_and_the_admin_check():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        chief = standin.add_user("值班长")
        group = standin.add_supergroup("街道工作群")
        standin.set_member(group["id"], chief["id"], "administrator", can_promote_members=False)
        async with Bot(**standin.bot_kwargs()) as bot:
            original = standin.send_text(ada["id"], "楼道灯坏了")["message"]
            copy = await bot.copy_message(group["id"], ada["id"], original["message_id"])
            assert standin.message(group["id"], copy.message_id)["text"] == "楼道灯坏了"
            await bot.send_chat_action(ada["id"], "typing")
            with pytest.raises(BadRequest, match="^Wrong parameter action in request$"):
                await bot.send_chat_action(ada["id"], "dancing")
            await bot.set_my_commands([("start", "开始"), ("help", "帮助")])
            with pytest.raises(BadRequest, match="^Bot_command_invalid$"):
                await bot.set_my_commands([("Start", "开始")])
            assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
            chief_member = await bot.get_chat_member(group["id"], chief["id"])
            ada_member = await bot.get_chat_member(group["id"], ada["id"])
            chat = await bot.get_chat(group["id"])
    assert chief_member.status == "administrator" and chief_member.can_manage_topics is True
    assert chief_member.can_promote_members is False and ada_member.status == "left"
    assert chat.is_forum is True and chat.title == "街道工作群"
    assert [a["action"] for a in standin.chat_actions(ada["id"])] == ["typing"]
    assert standin.commands() == [{"command": "start", "description": "开始"}, {"command": "help", "description": "帮助"}]


@async_test
async def test_privacy_mode_hides_plain_group_talk_from_a_bot_that_is_no_administrator():
    async with StandIn() as standin:
        ada = standin.add_user("Ada")
        group = standin.add_group("楼栋群")
        _, sent = await call(standin, "sendMessage", chat_id=group["id"], text="欢迎")
        chatter = standin.send_text(ada["id"], "今天停水吗", chat_id=group["id"])
        command = standin.send_command(ada["id"], "help", chat_id=group["id"], mention_bot=True)
        reply = standin.send_text(ada["id"], "收到", chat_id=group["id"],
                                  reply_to_message_id=sent["result"]["message_id"])
    assert chatter["update"] is None
    assert command["update"]["message"]["text"] == "/help@standin_bot" and reply["update"] is not None


@async_test
async def test_private_chats_share_one_message_id_sequence_and_supergroups_count_their_own():
    async with StandIn() as standin:
        ada, bo = standin.add_user("Ada", started=True), standin.add_user("Bo", started=True)
        group = standin.add_supergroup("群")
        ids = [(await call(standin, "sendMessage", chat_id=chat, text="x"))[1]["result"]["message_id"]
               for chat in (ada["id"], bo["id"], ada["id"], group["id"], group["id"])]
    assert ids == [1, 2, 3, 2, 3]


# ---------------------------------------------------------------------------- flood limits

@async_test
async def test_flood_limits_are_counted_and_when_enforced_answered_with_429():
    async with StandIn() as standin:
        ada = standin.add_user("Ada", started=True)
        group = standin.add_supergroup("群")
        for _ in range(4):  # a burst of three is allowed, the fourth is one too many
            assert (await call(standin, "sendMessage", chat_id=ada["id"], text="x"))[0] == 200
        assert [v["rule"] for v in standin.rate_violations()] == ["private_per_second"]
        standin.set_rate_limits(enforce=True)
        status, body = await call(standin, "sendMessage", chat_id=ada["id"], text="x")
        # Four went in a second: the chat is two messages over its average of one a second.
        assert (status, body["parameters"]) == (429, {"retry_after": 2})
        assert body["description"] == "Too Many Requests: retry after 2"
        _, first = await call(standin, "sendMessage", chat_id=group["id"], text="0")
        for index in range(18):
            await call(standin, "sendMessage", chat_id=group["id"], text=str(index + 1))
        edit = await call(standin, "editMessageText", chat_id=group["id"], message_id=first["result"]["message_id"],
                          text="改")  # the 20th message this minute: edits count in groups
        status, body = await call(standin, "sendMessage", chat_id=group["id"], text="21")
        assert edit[0] == 200 and status == 429 and 1 <= body["parameters"]["retry_after"] <= 60
    assert [v["rule"] for v in standin.rate_violations()] == ["private_per_second", "private_per_second",
                                                              "group_per_minute"]
    assert [v["enforced"] for v in standin.rate_violations()] == [False, True, True]


@async_test
async def test_the_overall_limit_counts_messages_to_all_chats():
    async with StandIn(enforce_rate_limits=True) as standin:
        assert standin.set_rate_limits() == {"enforce": True, "private_per_second": 1, "private_burst": 3,
                                             "group_per_minute": 20,
                                             "overall_per_second": 30}
        standin.set_rate_limits(overall_per_second=5)  # five calls fit in a second on a slow machine too
        users = [standin.add_user(f"居民{n}", started=True) for n in range(6)]
        statuses = [(await call(standin, "sendMessage", chat_id=user["id"], text="通知"))[0] for user in users]
    assert statuses == [200] * 5 + [429]
    assert [v["rule"] for v in standin.rate_violations()] == ["overall_per_second"]


# ---------------------------------------------------------------------------- thread mode and control HTTP

def test_thread_mode_serves_a_bot_on_another_loop_and_the_control_api_over_http():
    with StandIn.run_in_thread(seed=3) as server:
        ada = server.add_user("Ada")
        server.send_text(ada["id"], "你好")

        async def bot_side() -> list[Update]:
            async with Bot(**server.bot_kwargs()) as bot:
                updates = await bot.get_updates(timeout=1)
                await bot.send_message(ada["id"], "收到", reply_markup=ReplyKeyboardMarkup(
                    [[KeyboardButton("分享手机号", request_contact=True)]]))
                return updates

        updates = asyncio.run(bot_side())
        assert updates[0].message.text == "你好" and server.texts(ada["id"]) == ["收到"]
        with httpx.Client(base_url=f"{server.root}/control", verify=False) as control:
            injected = control.post("/send_contact",
                                    json={"user_id": ada["id"], "phone_number": "8613800138000"}).json()
            waited = control.get("/wait_for_messages", params={"chat_id": ada["id"], "count": 1, "timeout": 1}).json()
            unknown = control.post("/press_button", json={"user_id": ada["id"], "message_id": 2, "data": "nope"})
            keyboard = control.get("/reply_keyboard", params={"chat_id": ada["id"]}).json()
    assert injected["result"]["update"]["message"]["contact"]["user_id"] == ada["id"]
    assert [m["text"] for m in waited["result"]] == ["收到"]
    assert unknown.status_code == 400 and "no button" in unknown.json()["description"]
    assert keyboard["result"]["keyboard"] == [[{"text": "分享手机号", "request_contact": True}]]
