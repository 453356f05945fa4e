"""Webhook mode: the stand-in posts updates with the secret token; a request without it or
with a wrong one is refused with 403 and stores nothing; a good one is stored and answered
200 at once, and the turn runs after."""
from __future__ import annotations

import socket

import httpx

from actions import texts
from resident_support import run, settled, standin_and_bot


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_webhook_takes_updates_with_the_secret_only(app, clock):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"

    async def scenario():
        async with standin_and_bot(app, clock, webhook_url=url, webhook_listen="127.0.0.1",
                                   webhook_port=port, webhook_secret="s3cret-token") as (standin, bot):
            ada = standin.add_user("Ada")
            standin.send_sticker(ada["id"])
            await standin.wait_for_messages(ada["id"], 1, timeout=20)
            await settled(standin, bot)
            stored = bot.inbox.counts()
            forged = {"update_id": 990001, "message": {
                "message_id": 1, "date": 0, "chat": {"id": ada["id"], "type": "private"},
                "from": {"id": ada["id"], "is_bot": False, "first_name": "Ada"}, "text": "/x"}}
            async with httpx.AsyncClient() as client:
                missing = await client.post(url, json=forged)
                wrong = await client.post(url, json=forged,
                                          headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-tokeX"})
                after_refused = bot.inbox.counts()
                good = await client.post(url, json=forged,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            await standin.wait_for_messages(ada["id"], 2, timeout=20)
            return (standin.texts(ada["id"]), stored, missing.status_code, wrong.status_code,
                    after_refused, good.status_code, standin.call_count("getUpdates"),
                    standin.calls("setWebhook")[-1]["params"])

    said, stored, missing, wrong, after_refused, good, polls, registered = run(scenario())
    assert said == [texts.CANNOT_TAKE["sticker"], texts.UNKNOWN_COMMAND]
    assert (missing, wrong, good) == (403, 403, 200)
    assert after_refused == stored == {"done": 1}
    assert polls == 0 and registered["secret_token"] == "s3cret-token" and registered["url"] == url
