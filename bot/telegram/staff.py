"""The staff side of Telegram: what staff send the bot, in the staff group or privately.

``StaffDesk.answer(update, bot)`` returns the replies to send (as the resident channel's
outgoing items), or None when the update is not a staff matter (the resident turn
takes it: a staff member may be a resident too). Everything here goes through the
same services and permissions as the admin command line:

- linking: ``/link CODE`` (or the bare code) in a private chat links the Telegram account
  to the staff member the command centre issued the code for (civic.services.accounts);
- a card's button (``case:<move>:<number>[:<whom>]``): the service decides per press; a
  press without the right is refused with who may; 进展/办结/退回/延期 ask for the note
  (the presser's next message in that chat answers), 改派 offers the staff in scope;
- a staff member writing in a handed-off resident's topic answers the resident;
  ``/done`` there ends the handoff;
- private commands: /cases /case /points /rates /bookings /code /help.

Unknown people (no link) get a polite refusal and nothing changes.
"""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re
import uuid
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from actions import texts
from actions.texts import CATEGORIES, MODES, OUTCOMES, ROLES, STATES, when
from bot.buttons import decode_booking, decode_staff, encode_booking, encode_staff
from bot.cards import card_buttons, card_text, in_charge, private_detail, staff_name, who_may
from bot.telegram.staff_group import StaffGroup
from bot.telegram.staff_store import Prompt, StaffStore, handoff_topic
from civic.domain.accounts import CODE_ALPHABET, InvalidLinkCode
from civic.domain.actors import COMMAND_CENTRE, GRID_LEADER, GRID_WORKER, Actor
from civic.domain.case import WHO_MAY
from civic.domain.errors import CaseNotFound, ConcurrentUpdate, DomainError, IllegalMove, NotAllowed, NoteRequired
from civic.domain.mediation import OUTCOMES as BOOKING_OUTCOMES
from civic.domain.points import KINDS
from civic.services import accounts, handoff, mediation, points
from civic.services import commands as case_commands
from civic.services.cases import staff_cases
from civic.services.rates import three_rates
from nlu.entities import find_case_ids
from nlu.normalise import normalise

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ASKS_NOTE = ("progress", "resolve", "return", "extend")
AT_ONCE = ("sign", "contact", "start", "escalate")
CASE_NUMBER = re.compile(r"\d{8}-\d{4,}")
LINK_CODE = re.compile(rf"[{CODE_ALPHABET}]{{8}}")
NEW_DUE = re.compile(r"^\s*(?:(\d{4})[-年/])?(\d{1,2})[-月/](\d{1,2})日?\s*(?:(\d{1,2})[:：点](\d{2})?分?)?\s*(.*)$",
                     re.S)
COMMANDS = ("/cases", "/case", "/points", "/rates", "/bookings", "/code", "/link", "/staff")
CASES_SHOWN = 20
ASK_PREFIXES = tuple({question.partition("{")[0] for question in texts.STAFF_ASK.values()})


def _command(text: str) -> tuple[str, str]:
    """('/cases', 'the rest') of a command message; '/cases@Bot' counts as '/cases'."""
    head, _, rest = (text or "").strip().partition(" ")
    return head.split("@", 1)[0].lower(), rest.strip()


def _item(chat_id: int, text: str, buttons: list[dict] | None = None, *, thread_id: int | None = None,
          force_reply: bool = False) -> dict:
    """An outgoing reply as the channel records and sends it."""
    item = {"chat_id": chat_id, "text": text, "buttons": [[b["title"], b["payload"]] for b in buttons or ()],
            "asks_phone": False}
    if thread_id is not None:
        item["thread_id"] = thread_id
    if force_reply:
        item["force_reply"] = True
    return item


@dataclasses.dataclass
class Where:
    """Where a staff update came from: its chat, topic and person."""

    chat_id: int
    thread_id: int | None
    user_id: int
    in_group: bool

    def reply(self, text: str, buttons: list[dict] | None = None, **options) -> dict:
        return _item(self.chat_id, text, buttons, thread_id=self.thread_id if self.in_group else None, **options)


class StaffDesk:
    def __init__(self, app, store: StaffStore, group: StaffGroup | None):
        self.app, self.store, self.group = app, store, group
        self.civic = app.civic
        self.district = app.civic.services.district

    @property
    def group_chat_id(self) -> int | None:
        return self.group.chat_id if self.group is not None else None

    # --- the entry ---------------------------------------------------------------------

    async def answer(self, update: Update, bot) -> list[dict] | None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or user.is_bot:
            return None
        in_group = self.group_chat_id is not None and chat.id == self.group_chat_id
        blocked = update.my_chat_member
        if blocked is not None and chat.type == ChatType.PRIVATE and blocked.new_chat_member.status == "kicked":
            if self.group is not None:  # the inbox recorded the block; staff in a topic should know
                await self.group.announce_blocked(str(chat.id))
            return None
        message = update.message
        where = Where(chat.id, message.message_thread_id if message is not None and message.is_topic_message
                      else None, user.id, in_group)
        query = update.callback_query
        if query is not None:
            if not (decode_staff(query.data or "") or decode_booking(query.data or "")):
                return None
            if query.message is not None and getattr(query.message, "is_topic_message", False):
                where.thread_id = query.message.message_thread_id
            return await self._press(update, where)
        if message is None:
            return [] if in_group else None
        if in_group:
            return await self._in_group(message, where)
        if chat.type != ChatType.PRIVATE:
            return None
        text = (message.text or "").strip()
        command, rest = _command(text)
        if command in COMMANDS:
            return await self._private_command(command, rest, where)
        if LINK_CODE.fullmatch(text):
            return [await self._link(text, where)]
        if message.text is not None and await asyncio.to_thread(self.store.pending_prompt, chat.id, user.id,
                                                                 self.app.clock()):
            return await self._prompt_answered(text, where)
        return None

    # --- who is asking --------------------------------------------------------------------

    def _actor_now(self, telegram_id: int) -> Actor | None:
        with self.civic.reader() as uow:
            return accounts.staff_for_telegram(uow, self.civic.services, telegram_id)

    async def _actor(self, telegram_id: int) -> Actor | None:
        return await asyncio.to_thread(self._actor_now, telegram_id)

    async def _link(self, code: str, where: Where) -> dict:
        def link():
            with self.civic.uow() as uow:
                return accounts.link_staff(uow, self.civic.services, telegram_id=where.user_id, code=code,
                                           now=self.app.clock())
        try:
            staff_id = await asyncio.to_thread(link)
        except InvalidLinkCode:
            return where.reply(texts.STAFF_LINK_BAD)
        staff = self.district.staff[staff_id]
        log.info("staff %s linked a Telegram account", staff_id)
        return where.reply(texts.STAFF_LINKED.format(name=staff.name, role=ROLES.get(staff.role, staff.role)))

    # --- presses -----------------------------------------------------------------------

    async def _press(self, update: Update, where: Where) -> list[dict] | None:
        query = update.callback_query
        actor = await self._actor(where.user_id)
        if actor is None and not where.in_group:
            return None  # a resident's chat: the turn answers a button that is not theirs
        if actor is None:
            await self._toast(query, texts.STAFF_NOT_LINKED, alert=True)
            return []
        booking = decode_booking(query.data)
        if booking is not None:
            said = await self._outcome(actor, *booking)
            await self._toast(query, said, alert=True)
            return []
        move, number, argument = decode_staff(query.data)
        if move == "view":
            await self._toast(query, "")
            return [await self._private_card(actor, number, Where(where.user_id, None, where.user_id, False))]
        if move not in WHO_MAY:
            await self._toast(query, texts.UNKNOWN_BUTTON, alert=True)
            return []
        refusal = await asyncio.to_thread(self._refusal, actor, move, number)
        if refusal:
            await self._toast(query, refusal, alert=True)
            return []
        if move in ASKS_NOTE:
            await asyncio.to_thread(self.store.ask, where.chat_id, where.user_id, Prompt(move, number, None),
                                    self.app.clock())
            await self._toast(query, "")
            return [where.reply(texts.STAFF_ASK[move].format(number=number), force_reply=True)]
        if move == "reassign" and argument is None:
            await self._toast(query, "")
            choices = self._reassign_choices(actor, number)
            if not choices:
                return [where.reply(texts.STAFF_NO_ONE)]
            return [where.reply(texts.STAFF_ASK_REASSIGN.format(number=number), choices)]
        options = {}
        if move == "reassign":
            if argument not in {decode_staff(c["payload"])[2] for c in self._reassign_choices(actor, number)}:
                await self._toast(query, texts.STAFF_NOT_ALLOWED.format(
                    number=number, move=texts.MOVES[move], who=texts.MAY_CENTRE), alert=True)
                return []
            options["assignee_id"] = argument
        done, said = await self._move(actor, move, number, **options)
        await self._toast(query, said, alert=not done)
        return []

    def _refusal(self, actor: Actor, move: str, number: str) -> str | None:
        """Why this actor may not make this move now (None: they may)."""
        with self.civic.reader() as uow:
            case = uow.cases.get(number)
        if case is None:
            return texts.STAFF_NOT_FOUND.format(number=number)
        name = texts.MOVES.get(move, move)
        if not case.may(move, actor):
            return texts.STAFF_NOT_ALLOWED.format(number=number, move=name, who=who_may(case, move, self.district))
        if move not in case.moves_now():
            return self._not_now(case, move)
        return None

    def _not_now(self, case, move: str) -> str:
        if move == "sign" and case.signed_at is not None:
            signed = [h for h in case.history if h.action == "signed"]
            if signed:
                return texts.STAFF_TAKEN.format(number=case.number, name=staff_name(self.district, signed[-1].actor_id),
                                                when=when(signed[-1].at, self.app.clock()))
        return texts.STAFF_NOT_NOW.format(number=case.number, state=STATES.get(case.state.value, case.state.value),
                                          move=texts.MOVES.get(move, move))

    async def _move(self, actor: Actor, move: str, number: str, note: str = "", **options) -> tuple[bool, str]:
        """Run one move as its actor: (done, the words for the presser)."""
        def run() -> tuple[bool, str]:
            for _ in range(3):
                try:
                    with self.civic.uow() as uow:
                        command = case_commands.named(move, number=number, actor=actor, now=self.app.clock(),
                                                      note=note, **options)
                        case_commands.handle(uow, self.civic.services, command)
                    return True, texts.STAFF_MOVED.format(move=texts.MOVES.get(move, move), number=number)
                except ConcurrentUpdate:
                    continue  # someone else moved it first: look again, as the next press would
                except CaseNotFound:
                    return False, texts.STAFF_NOT_FOUND.format(number=number)
                except NoteRequired:
                    return False, texts.STAFF_NOTE_EMPTY
                except IllegalMove as error:
                    if move == "extend" and move in self._case_moves(number):  # allowed now: the date was wrong
                        return False, refused(error, texts.STAFF_EXTEND_EARLY)
                    return False, self._refusal(actor, move, number) or refused(error)
                except DomainError as error:
                    return False, self._refusal(actor, move, number) or refused(error)
            return False, self._refusal(actor, move, number) or texts.STAFF_NOT_FOUND.format(number=number)
        done, said = await asyncio.to_thread(run)
        log.info("staff %s: %s on case %s: %s", actor.id, move, number, "done" if done else "refused")
        return done, said

    def _case_moves(self, number: str) -> list[str]:
        with self.civic.reader() as uow:
            case = uow.cases.get(number)
        return case.moves_now() if case is not None else []

    def _reassign_choices(self, actor: Actor, number: str) -> list[dict]:
        """The staff the case may go to: in its grid, not its present assignee."""
        with self.civic.reader() as uow:
            case = uow.cases.get(number)
        if case is None:
            return []
        people = [s for s in self.district.staff.values()
                  if s.id != case.assignee_id and case.grid_id and case.grid_id in s.grids
                  and s.role in (GRID_WORKER, "urban_management", "property", "social_worker")]
        return [{"title": f"{s.name}（{ROLES.get(s.role, s.role)}）",
                 "payload": encode_staff("reassign", number, s.id)} for s in people]

    async def _prompt_answered(self, text: str, where: Where, number: str | None = None) -> list[dict]:
        """The note (or new deadline) a press asked this person for; [] when none was asked."""
        prompt = await asyncio.to_thread(self.store.answered, where.chat_id, where.user_id, self.app.clock(),
                                         number)
        actor = await self._actor(where.user_id)
        if prompt is None or actor is None:
            return [where.reply(texts.STAFF_NOT_LINKED)] if prompt is not None else []
        if not text:
            return [where.reply(texts.STAFF_NOTE_EMPTY)]
        options = {}
        note = text
        if prompt.move == "extend":
            parsed = self._new_due(text)
            if parsed is None:
                return [where.reply(texts.STAFF_EXTEND_FORMAT)]
            options["new_due"], note = parsed
        return [where.reply((await self._move(actor, prompt.move, prompt.number, note=note, **options))[1])]

    def _new_due(self, text: str) -> tuple[dt.datetime, str] | None:
        found = NEW_DUE.match(text)
        if not found:
            return None
        year, month, day, hour, minute, reason = found.groups()
        now = self.app.clock().astimezone(SHANGHAI)
        try:
            due = dt.datetime(int(year or now.year), int(month), int(day), int(hour or 18), int(minute or 0),
                              tzinfo=SHANGHAI)
        except ValueError:
            return None
        if year is None and due < now - dt.timedelta(days=1):
            due = due.replace(year=due.year + 1)  # "1月5日" said in December
        return due, reason.strip()

    async def _outcome(self, actor: Actor, outcome: str, booking_id: str) -> str:
        if outcome not in BOOKING_OUTCOMES:
            return texts.UNKNOWN_BUTTON

        def run():
            with self.civic.uow() as uow:
                mediation.record_outcome(uow, self.civic.services, actor=actor, booking_id=booking_id,
                                         outcome=outcome, now=self.app.clock())
        try:
            await asyncio.to_thread(run)
        except DomainError as error:
            return refused(error)
        return texts.STAFF_OUTCOME_SAVED.format(booking=booking_id, outcome=OUTCOMES.get(outcome, outcome))

    @staticmethod
    async def _toast(query, text: str, alert: bool = False) -> None:
        try:
            await query.answer(text[:200] or None, show_alert=alert and bool(text))
        except TelegramError as error:  # a press answered late: the words still go nowhere else
            log.info("a press was not answered: %s", getattr(error, "message", error))

    # --- the staff group -----------------------------------------------------------------

    async def _in_group(self, message, where: Where) -> list[dict]:
        text = (message.text or message.caption or "").strip()
        key = await asyncio.to_thread(self.store.topic_at, where.chat_id, where.thread_id)
        in_handoff = key is not None and key.startswith("handoff:")
        command, _ = _command(text)
        # The note a press asked for: in the group, a reply to the bot's question (or to the
        # case's card) about the case the presser was asked of. A topic's first message is
        # what Telegram makes every message in it reply to: that is no answer.
        replied = message.reply_to_message
        if (message.text is not None and not command.startswith("/") and replied is not None
                and replied.from_user is not None and replied.from_user.is_bot
                and replied.forum_topic_created is None and replied.message_id != where.thread_id):
            asked = CASE_NUMBER.search(replied.text or "")
            if asked is not None:
                answer = await self._prompt_answered(text, where, number=asked.group(0))
                if answer:
                    return answer
                if (replied.text or "").startswith(ASK_PREFIXES):  # an old question: not a note now
                    return [where.reply(texts.STAFF_PROMPT_STALE)]
        if in_handoff:
            return await self._in_handoff_topic(key.partition(":")[2], message, text, command, where)
        if command in COMMANDS:
            return [where.reply(texts.STAFF_PRIVATE_ONLY)]
        return []  # the staff's own conversation

    async def _in_handoff_topic(self, resident_id: str, message, text: str, command: str,
                                where: Where) -> list[dict]:
        actor = await self._actor(where.user_id)
        if actor is None:
            return [where.reply(texts.HANDOFF_STAFF_ONLY)]
        now = self.app.clock()
        if command == "/done":
            def end():
                with self.civic.uow() as uow:
                    return handoff.end_handoff(uow, actor=actor, now=now, resident_id=resident_id)
            ended = await asyncio.to_thread(end)
            if ended is not None:
                log.info("staff %s ended handoff %s", actor.id, ended.handoff_id)
                if self.group is not None:  # the last word before the topic closes
                    await self.group.post(where.thread_id, texts.HANDOFF_DONE_IN_TOPIC)
            if self.group is not None:  # also when a retry finds it ended: the topic closes
                await self.group.close(handoff_topic(resident_id))
            return [] if ended is not None else [where.reply(texts.HANDOFF_ALREADY_ENDED)]
        photo_id = message.photo[-1].file_id if message.photo else None
        if (not text and photo_id is None) or command.startswith("/"):
            return []

        def reply():
            with self.civic.uow() as uow:
                return handoff.reply_from_staff(uow, self.civic.services, actor=actor, resident_id=resident_id,
                                                text=text, now=now, photo_id=photo_id)
        try:
            await asyncio.to_thread(reply)
        except NotAllowed:
            return [where.reply(texts.HANDOFF_ALREADY_ENDED)]
        return []

    # --- private commands --------------------------------------------------------------

    async def _private_command(self, command: str, rest: str, where: Where) -> list[dict]:
        if command == "/link":
            return [await self._link(rest, where)]
        actor = await self._actor(where.user_id)
        if actor is None:
            return [where.reply(texts.STAFF_NOT_LINKED)]
        if command == "/cases":
            return [await asyncio.to_thread(self._cases, actor, where)]
        if command == "/case":
            numbers = find_case_ids(normalise(rest))  # 202611280001 too: as residents may type it
            if not numbers:
                return [where.reply(texts.STAFF_CASE_USAGE)]
            return [await self._private_card(actor, numbers[0]["value"], where)]
        if command == "/rates":
            return [await asyncio.to_thread(self._rates, actor, where)]
        if command == "/bookings":
            return [await asyncio.to_thread(self._bookings, actor, where)]
        if command == "/code":
            return [await asyncio.to_thread(self._code, actor, rest, where)]
        if command == "/points":
            return [await asyncio.to_thread(self._points, actor, rest, where)]
        return [where.reply(texts.STAFF_HELP)]

    def _cases(self, actor: Actor, where: Where) -> dict:
        with self.civic.reader() as uow:
            found = staff_cases(uow, self.civic.services, actor=actor, scope="mine", limit=CASES_SHOWN)
        if not found:
            return where.reply(texts.STAFF_CASES_NONE)
        now = self.app.clock()
        lines, buttons = [texts.STAFF_CASES_HEAD], []
        for case in found:
            due = case.next_deadline()
            due_text = texts.STAFF_NEXT_DUE.format(step=texts.CARD_STEPS.get(due[0], due[0]), when=when(due[1], now)) \
                if due else "—"
            lines.append(texts.STAFF_CASE_LINE.format(number=case.number,
                                                      category=CATEGORIES.get(case.category, case.category),
                                                      state=STATES.get(case.state.value, case.state.value),
                                                      due=due_text))
            buttons.append({"title": case.number, "payload": encode_staff("view", case.number)})
        return where.reply("\n".join(lines), buttons)

    async def _private_card(self, actor: Actor, number: str, where: Where) -> dict:
        def load():
            with self.civic.reader() as uow:
                case = uow.cases.get(number)
                photos = len(uow.evidence.for_case(number)) if case is not None else 0
            return case, photos
        case, photos = await asyncio.to_thread(load)
        if case is None or not self._may_see(actor, case):
            return where.reply(texts.STAFF_NOT_FOUND.format(number=number))
        text = card_text(case, self.district, self.app.clock(), photos=photos)
        if in_charge(case, actor):
            text += "\n" + private_detail(case)
        return where.reply(text, card_buttons(case))

    def _may_see(self, actor: Actor, case) -> bool:
        """Staff see the cases of their scope: their own, their grids', all for the centre."""
        if actor.role == COMMAND_CENTRE or actor.id == case.assignee_id or actor.id in case.informed_ids:
            return True
        member = self.district.staff.get(actor.id)
        return member is not None and bool(case.grid_id) and self.district.covers(member, case.grid_id)

    def _rates(self, actor: Actor, where: Where) -> dict:
        now = self.app.clock().astimezone(SHANGHAI)
        monday = (now - dt.timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        weeks = ((texts.STAFF_RATES_THIS, monday, now), (texts.STAFF_RATES_LAST, monday - dt.timedelta(days=7), monday))
        if actor.role == COMMAND_CENTRE:
            scopes = [(texts.STAFF_RATES_STREET, {})]
        elif actor.role == GRID_LEADER:
            scopes = [(self.district.communities[c].name if c in self.district.communities else c,
                       {"community_id": c}) for c in sorted(actor.communities)]
        else:
            scopes = [(self.district.grids[g].name if g in self.district.grids else g, {"grid_id": g})
                      for g in sorted(actor.grids)]
        if not scopes:
            return where.reply(texts.STAFF_RATES_NONE)
        lines = []
        with self.civic.reader() as uow:
            for name, scope in scopes:
                lines.append(texts.STAFF_RATES_HEAD.format(scope=name))
                for label, start, end in weeks:
                    rates = three_rates(uow, start=start, end=end, **scope)
                    lines.append(texts.STAFF_RATES_WEEK.format(
                        label=label, response=_percent(rates.response_rate),
                        resolution=_percent(rates.resolution_rate), satisfaction=_percent(rates.satisfaction_rate),
                        dispatched=rates.dispatched, rated=rates.rated))
        return where.reply("\n".join(lines))

    def _bookings(self, actor: Actor, where: Where) -> dict:
        if actor.role not in ("mediator", COMMAND_CENTRE):
            return where.reply(texts.STAFF_ONLY_MEDIATOR)
        now = self.app.clock()
        local = now.astimezone(SHANGHAI)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        with self.civic.reader() as uow:
            booked = uow.bookings.booked_between(start, start + dt.timedelta(days=2))
        mine = [b for b in booked if actor.role == COMMAND_CENTRE or b.mediator_id == actor.id]
        if not mine:
            return where.reply(texts.STAFF_BOOKINGS_NONE)
        lines, buttons = [texts.STAFF_BOOKINGS_HEAD], []
        for booking in mine:
            lines.append(texts.STAFF_BOOKING_LINE.format(booking=booking.id, when=when(booking.starts_at, now),
                                                         mode=MODES.get(booking.mode, booking.mode),
                                                         dispute=booking.dispute))
            buttons += [{"title": f"{booking.id[-4:]} {OUTCOMES[o]}", "payload": encode_booking(o, booking.id)}
                        for o in BOOKING_OUTCOMES]
        return where.reply("\n".join(lines), buttons)

    def _code(self, actor: Actor, name: str, where: Where) -> dict:
        if actor.role != COMMAND_CENTRE:
            return where.reply(texts.STAFF_ONLY_CENTRE)
        name = name.strip()
        if not name:
            return where.reply(texts.STAFF_CODE_USAGE)
        staff = next((s for s in self.district.staff.values() if name in (s.id, s.name)), None)
        if staff is None:
            return where.reply(texts.STAFF_CODE_UNKNOWN.format(name=name))
        now = self.app.clock()
        with self.civic.uow() as uow:
            code = accounts.issue_link_code(uow, self.civic.services, actor=actor, staff_id=staff.id, now=now)
        return where.reply(texts.STAFF_CODE_ISSUED.format(name=staff.name, role=ROLES.get(staff.role, staff.role),
                                                          code=code.code, when=when(code.expires_at, now)))

    def _points(self, actor: Actor, rest: str, where: Where) -> dict:
        words = rest.split()
        now = self.app.clock()
        try:
            if len(words) >= 4 and words[0] == "award" and words[2].isdigit():
                kind = next((k for k, label in KINDS.items() if words[3] in (k, label)), None)
                reason = " ".join(words[4:] if kind else words[3:])
                with self.civic.uow() as uow:
                    entry = points.award(uow, self.civic.services, actor=actor, resident_id=words[1],
                                         kind=kind or "community_building", amount=int(words[2]), reason=reason,
                                         key=uuid.uuid4().hex, now=now)
                return where.reply(texts.STAFF_POINTS_AWARDED.format(resident=words[1], amount=entry.amount,
                                                                     entry=entry.id))
            if len(words) >= 5 and words[0] == "reverse" and words[2].isdigit() and words[3].isdigit():
                with self.civic.uow() as uow:
                    entry = points.reverse(uow, self.civic.services, actor=actor, resident_id=words[1],
                                           entry_id=int(words[2]), amount=int(words[3]),
                                           reason=" ".join(words[4:]), key=uuid.uuid4().hex, now=now)
                return where.reply(texts.STAFF_POINTS_REVERSED.format(resident=words[1], amount=abs(entry.amount),
                                                                      entry=entry.id))
        except DomainError as error:
            return where.reply(refused(error))
        return where.reply(texts.STAFF_POINTS_USAGE)


def refused(error: DomainError, why: str | None = None) -> str:
    """A domain error as staff read it: in Chinese, saying nothing changed."""
    why = why or next((texts.STAFF_REFUSALS[kind.__name__] for kind in type(error).__mro__
                       if kind.__name__ in texts.STAFF_REFUSALS), texts.STAFF_REFUSED_OTHER)
    return texts.STAFF_REFUSED.format(why=why)


def _percent(rate: float | None) -> str:
    return texts.NO_RATE if rate is None else f"{rate * 100:.0f}%"
