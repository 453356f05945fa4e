"""What the staff side of Telegram keeps in the store: the staff group's topics, the
case cards shown there, and the question a staff member was asked after a press.

Synchronous SQLAlchemy, one short transaction per call: call it off the event loop.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine

from civic.adapters.repository import _naive_utc
from civic.adapters.tables import cases
from civic.adapters.tables_channels import case_cards, staff_prompts, staff_topics
from civic.adapters.tables_handoff import handoff_messages, handoffs

CENTRE_TOPIC = "centre"
# A case gets its first card while staff work on it: not a case only received (it is
# routed at once), nor one that ended before the group was set up.
CARDED_STATES = ("dispatched", "accepted", "in_progress", "reopened", "resolved")
PROMPT_LIVES = dt.timedelta(minutes=30)  # a question a press asked, answered within this
ENDED_LATELY = dt.timedelta(days=1)  # an ended handoff's last messages still go to its topic
TRIAGE_TOPIC = "triage"


def grid_topic(grid_id: str | None) -> str:
    """The topic of a grid's cards; a case with no grid is the command centre's triage."""
    return f"grid:{grid_id}" if grid_id else TRIAGE_TOPIC


def handoff_topic(resident_id: str) -> str:
    return f"handoff:{resident_id}"


@dataclasses.dataclass(frozen=True)
class Topic:
    key: str
    chat_id: int
    thread_id: int


@dataclasses.dataclass(frozen=True)
class Card:
    """A case whose card must show a newer version than the group shows."""

    number: str
    version: int
    urgent: bool
    topic_key: str
    chat_id: int | None
    message_id: int | None  # None: no card yet (or only a summary line)
    photos: int = 0  # the case's photos already posted under the card


@dataclasses.dataclass(frozen=True)
class Prompt:
    move: str
    number: str
    argument: str | None


@dataclasses.dataclass(frozen=True)
class Relay:
    """A handoff with something not yet posted to its topic."""

    handoff_id: int
    resident_id: str
    relayed_upto: int | None  # None: the opening summary is not posted yet
    messages: tuple[tuple[int, str, str | None], ...]  # (message id, text, photo) of the resident


def handoff_open(conn, handoff_id: int) -> bool:
    return conn.execute(select(handoffs.c.state).where(handoffs.c.id == handoff_id)).scalar() == "open"


class StaffStore:
    def __init__(self, engine: Engine):
        self.engine = engine

    # --- topics ----------------------------------------------------------------------

    def topic(self, key: str) -> Topic | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(staff_topics).where(staff_topics.c.key == key)).first()
        return Topic(row.key, row.chat_id, row.thread_id) if row else None

    def topic_at(self, chat_id: int, thread_id: int | None) -> str | None:
        """The key of the topic a message in the staff group was written in."""
        if thread_id is None:
            return None
        with self.engine.connect() as conn:
            return conn.execute(select(staff_topics.c.key).where(
                staff_topics.c.chat_id == chat_id, staff_topics.c.thread_id == thread_id)).scalar()

    def remember_topic(self, key: str, chat_id: int, thread_id: int, name: str, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(staff_topics).where(staff_topics.c.key == key))
            conn.execute(insert(staff_topics).values(key=key, chat_id=chat_id, thread_id=thread_id,
                                                     name=name[:128], created_at=_naive_utc(now)))

    def forget_topic(self, key: str) -> None:
        """A topic deleted by hand: the next send creates it again, with the cards of the
        cases staff still work on (the others' cards went with it)."""
        working = select(cases.c.number).where(cases.c.state.in_(CARDED_STATES))
        with self.engine.begin() as conn:
            conn.execute(delete(staff_topics).where(staff_topics.c.key == key))
            conn.execute(update(case_cards).where(case_cards.c.topic_key == key)
                         .values(message_id=None))
            conn.execute(update(case_cards).where(case_cards.c.topic_key == key,
                                                  case_cards.c.case_number.in_(working))
                         .values(shown=0, summarised=0, photos=0))

    # --- cards -----------------------------------------------------------------------

    def waiting_cards(self, limit: int = 500) -> list[Card]:
        """Cases whose card is behind the case, urgent first, then oldest first."""
        joined = cases.outerjoin(case_cards, case_cards.c.case_number == cases.c.number)
        query = (select(cases.c.number, cases.c.version, cases.c.tier, cases.c.grid_id,
                        case_cards.c.topic_key, case_cards.c.chat_id, case_cards.c.message_id, case_cards.c.photos)
                 .select_from(joined)
                 .where(or_(and_(case_cards.c.case_number.is_(None), cases.c.state.in_(CARDED_STATES)),
                            case_cards.c.shown < cases.c.version))
                 .order_by((cases.c.tier == "urgent").desc(), cases.c.created_at, cases.c.number)
                 .limit(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Card(r.number, r.version, r.tier == "urgent", r.topic_key or grid_topic(r.grid_id),
                     r.chat_id, r.message_id, r.photos or 0) for r in rows]

    def card_shown(self, number: str, topic_key: str, version: int, *, chat_id: int | None,
                   message_id: int | None, summarised: bool = False, photos: int = 0) -> None:
        values = dict(topic_key=topic_key, chat_id=chat_id, message_id=message_id, shown=version,
                      summarised=int(summarised), photos=photos)
        with self.engine.begin() as conn:
            done = conn.execute(update(case_cards).where(case_cards.c.case_number == number)
                                .values(**values)).rowcount
            if not done:
                conn.execute(insert(case_cards).values(case_number=number, **values))

    def card_of(self, number: str) -> Card | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(case_cards).where(case_cards.c.case_number == number)).first()
        return (Card(number, row.shown, False, row.topic_key, row.chat_id, row.message_id)
                if row else None)

    # --- prompts ---------------------------------------------------------------------

    def ask(self, chat_id: int, user_id: int, prompt: Prompt, now: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(staff_prompts).where(staff_prompts.c.chat_id == chat_id,
                                                     staff_prompts.c.user_id == user_id))
            conn.execute(insert(staff_prompts).values(chat_id=chat_id, user_id=user_id, move=prompt.move,
                                                      case_number=prompt.number, argument=prompt.argument,
                                                      asked_at=_naive_utc(now)))

    def answered(self, chat_id: int, user_id: int, now: dt.datetime, number: str | None = None) -> Prompt | None:
        """The question this person was asked in this chat lately (about case ``number``,
        when given), taken: it is answered once."""
        where = [staff_prompts.c.chat_id == chat_id, staff_prompts.c.user_id == user_id,
                 staff_prompts.c.asked_at >= _naive_utc(now - PROMPT_LIVES)]
        if number is not None:
            where.append(staff_prompts.c.case_number == number)
        with self.engine.begin() as conn:
            row = conn.execute(select(staff_prompts).where(*where)).first()
            if row is None:
                return None
            conn.execute(delete(staff_prompts).where(staff_prompts.c.chat_id == chat_id,
                                                     staff_prompts.c.user_id == user_id))
        return Prompt(row.move, row.case_number, row.argument)

    def pending_prompt(self, chat_id: int, user_id: int, now: dt.datetime) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(staff_prompts).where(
                staff_prompts.c.chat_id == chat_id, staff_prompts.c.user_id == user_id,
                staff_prompts.c.asked_at >= _naive_utc(now - PROMPT_LIVES))).scalar() > 0

    # --- handoffs to relay -----------------------------------------------------------

    def relays(self, now: dt.datetime, limit: int = 50) -> list[Relay]:
        """Handoffs whose topic lacks its opening or the resident's newer messages: open
        ones, and ones ended lately with a topic (what came just before /done still goes)."""
        lately = and_(handoffs.c.relayed_upto.is_not(None), handoffs.c.ended_at >= _naive_utc(now - ENDED_LATELY))
        with self.engine.connect() as conn:
            opened = conn.execute(select(handoffs.c.id, handoffs.c.resident_id, handoffs.c.relayed_upto)
                                  .where(or_(handoffs.c.state == "open", lately))
                                  .order_by(handoffs.c.id)).all()
            found = []
            for handoff in opened:
                upto = handoff.relayed_upto
                said = conn.execute(select(handoff_messages.c.id, handoff_messages.c.text,
                                           handoff_messages.c.file_id).where(
                    handoff_messages.c.handoff_id == handoff.id, handoff_messages.c.sender == "resident",
                    handoff_messages.c.id > (upto or 0)).order_by(handoff_messages.c.id)).all()
                if (upto is None and handoff_open(conn, handoff.id)) or said:
                    found.append(Relay(handoff.id, handoff.resident_id, upto,
                                       tuple((m.id, m.text, m.file_id) for m in said)))
                if len(found) >= limit:
                    break
        return found

    def relayed(self, handoff_id: int, upto: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(handoffs).where(handoffs.c.id == handoff_id).values(relayed_upto=upto))

    def open_handoff_of(self, resident_id: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(handoffs.c.id).where(handoffs.c.resident_id == resident_id,
                                                            handoffs.c.state == "open")).scalar()
