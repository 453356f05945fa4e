"""No silent failure on Telegram: a failed turn answers the resident, and a message whose
handling crashed is never marked done and lost — its inbox row keeps the update when
nothing else does (the turn could not file it, or the channel gave up)."""
from __future__ import annotations

import json

from sqlalchemy import select

from actions import texts
from bot.turn import Reply
from civic.adapters.tables_channels import inbox
from resident_support import run, settled, standin_and_bot

PHONE = "13912345678"


def rows(app) -> list[tuple[str, dict | None]]:
    with app.civic.engine.begin() as conn:
        return [(row.state, json.loads(row.body) if row.body else None)
                for row in conn.execute(select(inbox.c.state, inbox.c.body).order_by(inbox.c.update_id))]


def test_a_custom_action_that_raises_answers_and_files_the_message(app, clock, rasa_agent, monkeypatch, caplog):
    def boom(dispatcher, tracker, domain):
        raise RuntimeError(f"welcome failed ({PHONE})")

    monkeypatch.setitem(rasa_agent.action_endpoint.executor.actions, "action_welcome", boom)

    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = standin.add_user("Ada")
            standin.send_text(ada["id"], "/start")
            await settled(standin, bot)
            return ada, standin.texts(ada["id"])

    ada, said = run(scenario())
    assert len(said) == 1 and said[0].startswith(texts.SYSTEM_FAILED)
    with app.civic.reader() as uow:
        current = uow.handoffs.open_for(str(ada["id"]))
        assert [text for _, _, text in uow.handoffs.messages(current.id)] == ["/start"]
    assert [state for state, body in rows(app)] == ["done"]  # filed: the inbox need not keep it
    assert "Traceback" in caplog.text and PHONE not in caplog.text and "139****5678" in caplog.text


def test_a_turn_that_could_not_file_the_message_leaves_it_in_the_inbox(app, clock):
    async def unfiled(incoming):
        return [Reply(texts.SYSTEM_FAILED, unfiled=True)]

    app.turn.handle = unfiled

    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = standin.add_user("Ada")
            standin.send_text(ada["id"], f"楼道灯坏了，电话{PHONE}")
            await settled(standin, bot)
            return standin.texts(ada["id"]), bot.inbox.counts()

    said, counts = run(scenario())
    assert said == [texts.SYSTEM_FAILED] and counts == {"failed": 1}
    [(state, body)] = rows(app)
    assert body["message"]["text"] == f"楼道灯坏了，电话{PHONE}"  # kept, never replayed


def test_an_update_given_up_after_crashing_keeps_its_words_in_the_store(app, clock, caplog):
    async def broken(incoming):
        raise ValueError(f"could not store {incoming.text}")

    app.turn.handle = broken

    async def scenario():
        async with standin_and_bot(app, clock) as (standin, bot):
            ada = standin.add_user("Ada")
            standin.send_text(ada["id"], f"我的电话{PHONE}")
            await settled(standin, bot)
            return standin.texts(ada["id"])

    with caplog.at_level("INFO"):
        said = run(scenario())
    assert said == [texts.TURN_FAILED]
    [(state, body)] = rows(app)
    assert state == "failed" and body["message"]["text"] == f"我的电话{PHONE}"
    assert PHONE not in caplog.text  # in the store for staff, not in the log
