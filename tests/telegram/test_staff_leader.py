"""Two bot processes on one PostgreSQL store: the staff group's cards are kept by one of
them (the holder of the card board's advisory lock), so each case has one card."""
from __future__ import annotations

import asyncio
import datetime as dt

from telegram import Bot

import pg_support
from bot.telegram.staff_group import Board, StaffGroup
from bot.telegram.staff_store import StaffStore
from bot.telegram.throttle import Throttle
from civic.bootstrap import bootstrap
from civic.domain.actors import Actor
from civic.services.cases import report_case
from resident_support import WEDNESDAY_TEN, run, until
from standin import StandIn


def test_two_processes_on_postgresql_post_each_card_once():
    with pg_support.postgres_schema() as (engine, admin, schema, _):
        civics = [bootstrap(engine=engine(), run_migrations=False) for _ in range(2)]
        clock = lambda: WEDNESDAY_TEN  # noqa: E731
        numbers = []
        for i in range(6):
            with civics[0].uow() as uow:
                filed = report_case(uow, civics[0].services, actor=Actor.resident(str(700 + i)),
                                    category="environment", description=f"门口垃圾没人清（第{i}件）",
                                    address="望江花园3号楼", now=WEDNESDAY_TEN + dt.timedelta(minutes=i),
                                    file_anyway=True)
            numbers.append(filed.case.number)

        async def scenario():
            async with StandIn(seed=3) as standin:
                group_id = standin.add_supergroup("望江街道工作群")["id"]
                stop, tasks = asyncio.Event(), []
                async with Bot(**standin.bot_kwargs()) as bot:
                    for civic in civics:  # two processes: a group and a board each
                        group = StaffGroup(bot, StaffStore(civic.engine), Throttle(), group_id, clock)
                        tasks.append(asyncio.create_task(Board(group, civic, clock).run(stop)))
                    await until(lambda: all(any(n in t for t in standin.texts(group_id)) for n in numbers))
                    await asyncio.sleep(1.5)  # the other board had its chance to post again
                    stop.set()
                    await asyncio.gather(*tasks)
                texts = standin.texts(group_id)
                assert all(sum(n in t for t in texts) == 1 for n in numbers), texts
                assert len([t for t in standin.topics(group_id) if t["name"] == "望江社区第一网格"]) == 1
        run(scenario())
