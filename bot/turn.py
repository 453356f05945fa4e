"""One turn of a resident's conversation, the same for every channel.

A channel turns what arrived (text, a button press, a shared contact, a location, a
photo, anything else) into an ``Incoming`` and shows the ``Reply`` list it gets back.
The input rules live here once: cleaning and normalising, the length limit, commands,
the clock taken from the message, what to answer to stickers, voice or files, button
presses through the codec, and the quiet mode of a resident handed off to a person.

No silent failure: whatever raises inside a turn (an action, a service, the agent, the
store) is logged with its traceback masked, what the resident sent is filed for staff
as a handoff, and the resident is told (texts.SYSTEM_FAILED). When even the filing
fails, the reply tells the channel (``Reply.unfiled``), which keeps the message itself
(Telegram: the inbox row); the log line, masked, is the record.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import time
from typing import Callable

from actions import texts
from actions.common import location_payload
from bot.agent import forget_conversation
from bot.buttons import DIALOGUE, Button, ButtonCodec
from bot.failures import ACTION_FAILED, ActionFailed, masked_traceback
from bot.offload import off_loop
from civic.bootstrap import Civic
from civic.domain.actors import Actor
from civic.domain.errors import CaseNotFound
from civic.domain.privacy import clean, mask
from civic.domain.routing import grid_at
from civic.services import evidence, handoff
from nlu.normalise import normalise

log = logging.getLogger(__name__)

TEXT, BUTTON, CONTACT, LOCATION, PHOTO, OTHER = "text", "button", "contact", "location", "photo", "other"
COMMANDS = {"/start": "/help", "/help": "/help", "/帮助": "/help", "/cancel": "/cancel"}
END_HANDOFF = re.compile(r"^(回到机器人|结束人工(服务)?|不用人工了?|退出人工)[。!！]*$")
# Payloads the turn answers itself, never the dialogue: "@rate_help:<handoff id>:<satisfaction>".
RATE_HELP = re.compile(r"@rate_help:(\d+):([a-z_]+)")
REPORT_FORM = "report_form"  # a shared location answers its "where"; a photo waits for its case
DETAIL_FORM = "detail_form"  # a photo sent while adding details goes to that case
# After a failure a person takes the conversation over (civic.services.handoff.REASONS).
FAILED_HANDOFF_REASON = "failed"


@dataclasses.dataclass(frozen=True)
class Incoming:
    user_id: str
    kind: str = TEXT
    text: str = ""
    data: str = ""  # callback data of a pressed button
    phone: str | None = None  # a shared contact's number
    own_contact: bool = False  # the contact shared is the sender's own
    what: str = ""  # for OTHER, PHOTO, LOCATION: sticker, voice, document, video, edited, ...
    location: tuple[float, float] | None = None  # (latitude, longitude) of a shared location
    file_id: str | None = None  # the channel's id of a photo (Telegram's file_id), kept as evidence
    at: dt.datetime | None = None  # when the resident sent it, if the channel knows
    key: str | None = None  # the channel's id of this update (a replay finds its own press)


@dataclasses.dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    # The report's question of the resident's own phone (texts.ASK_CONTACT_PHONE), which a
    # shared contact answers: a channel may offer to share it (not the other party's phone).
    asks_phone: bool = False
    # The turn failed and could not file what the resident sent for staff: the channel
    # keeps the message itself (Telegram: the inbox row stays, failed, with the update).
    unfiled: bool = False


def rating_buttons(handoff_id: int) -> list[dict]:
    return [{"title": title, "payload": f"@rate_help:{handoff_id}:{value}"}
            for value, title in texts.SATISFACTION.items()]


class Turn:
    def __init__(self, *, agent, civic: Civic, codec: ButtonCodec,
                 clock: Callable[[], dt.datetime]):
        self.agent, self.civic, self.codec, self.clock = agent, civic, codec, clock

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The replies to what the resident sent; never raises (but for cancellation)."""
        try:
            return await self._handle(incoming)
        except Exception as error:
            try:
                return await self._failed(incoming, error)
            except Exception as worse:  # answering the failure failed: the log is the record
                log.error("turn of %s: the failure could not be answered, sent: %s\n%s", incoming.user_id,
                          mask(clean(incoming.text)), masked_traceback(worse))
                return [Reply(texts.SYSTEM_FAILED, unfiled=True)]

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        now = incoming.at or self.clock()
        if incoming.kind == BUTTON:
            return await self._press(incoming, now)
        if incoming.kind == CONTACT:
            if not incoming.own_contact or not incoming.phone:
                return [Reply(texts.NOT_OWN_CONTACT)]
            return await self._text(incoming.user_id, incoming.phone, now, incoming.key)
        if incoming.kind == LOCATION and incoming.location:
            return await self._location(incoming.user_id, incoming.location, now, incoming.key)
        if incoming.kind == PHOTO and incoming.file_id:
            return await self._photo(incoming, now)
        if incoming.kind != TEXT:
            said = texts.CANNOT_TAKE.get(incoming.what or incoming.kind, texts.CANNOT_TAKE_OTHER)
            return [Reply(texts.fill(said, self.civic.services.district))]
        return await self._text(incoming.user_id, incoming.text, now, incoming.key)

    async def _text(self, user_id: str, raw: str, now: dt.datetime, key: str | None = None) -> list[Reply]:
        said = clean(raw or "")
        if not said:
            return []
        if len(said) > texts.MAX_MESSAGE:
            return [Reply(texts.TOO_LONG)]
        said = normalise(said)
        quiet = await self._while_handed_off(user_id, said, now, key=key)
        if quiet is not None:
            return quiet
        if said.startswith("/"):
            # Typed text is never a button payload, whatever it looks like.
            command = said.split()[0].split("@", 1)[0]
            if command not in COMMANDS:
                return [Reply(texts.UNKNOWN_COMMAND)]
            return await self._agent(user_id, COMMANDS[command], now)
        return await self._agent(user_id, said, now)

    async def _press(self, incoming: Incoming, now: dt.datetime) -> list[Reply]:
        press = await off_loop(self.codec.press, incoming.user_id, incoming.data, now=now,
                               key=incoming.key)
        if press.refused:
            return [Reply(texts.STALE_BUTTON if press.refused == "stale" else texts.UNKNOWN_BUTTON)]
        rate_help = RATE_HELP.fullmatch(press.payload)
        if rate_help:
            return await self._rate_help(incoming.user_id, int(rate_help.group(1)), rate_help.group(2))
        quiet = await self._while_handed_off(incoming.user_id, press.title, now, key=incoming.key)
        if quiet is not None:
            return quiet
        return await self._agent(incoming.user_id, press.payload, now)

    async def _while_handed_off(self, user_id: str, said: str, now: dt.datetime,
                                photo_id: str | None = None, key: str | None = None) -> list[Reply] | None:
        """A handed-off resident's message goes to staff, not to the dialogue (once per
        update ``key``: a replay after a crash keeps nothing twice)."""
        actor = Actor.resident(user_id)

        def relay():
            with self.civic.reader() as uow:
                if not handoff.is_handed_off(uow, actor=actor):
                    return None
            with self.civic.uow() as uow:
                if END_HANDOFF.match(said):
                    return handoff.end_handoff(uow, actor=actor, now=now)
                return handoff.relay_from_resident(uow, actor=actor, text=said, now=now, photo_id=photo_id,
                                                   key=key)

        result = await off_loop(relay)
        if result is None:  # not handed off (or staff ended it a moment ago)
            return None
        if isinstance(result, handoff.Ended):
            return await self._offer(user_id, [(texts.HANDOFF_ENDED_BY_RESIDENT,
                                                rating_buttons(result.handoff_id))], now)
        if result.acknowledge:
            return [Reply(texts.HANDOFF_ACK.format(when=texts.when(result.answer_by, now)))]
        return []

    async def _rate_help(self, user_id: str, handoff_id: int, satisfaction: str) -> list[Reply]:
        def rate():
            with self.civic.uow() as uow:
                return handoff.rate_help(uow, actor=Actor.resident(user_id), handoff_id=handoff_id,
                                         satisfaction=satisfaction)

        rated = await off_loop(rate)
        return [Reply(texts.HELP_RATED if rated else texts.HELP_NOT_RATABLE)]

    # --- a shared location, a photo ------------------------------------------------------

    async def _location(self, user_id: str, location: tuple[float, float],
                        now: dt.datetime, key: str | None = None) -> list[Reply]:
        """A location answers the report form's "where"; anywhere else, the turn says which
        grid it is in (the dialogue has no words for a location of its own)."""
        lat, lon = location
        quiet = await self._while_handed_off(user_id, texts.LOCATION_FOR_STAFF.format(lat=lat, lon=lon), now,
                                             key=key)
        if quiet is not None:
            return quiet
        form, asks, _ = await self._asking(user_id)
        if form == REPORT_FORM and asks == "address":
            # Built here from the channel's location, like a button's payload; typed text
            # never becomes one, so nobody can type a place into another grid.
            return await self._agent(user_id, location_payload(lat, lon), now)
        district = self.civic.services.district
        grid = grid_at(district, lat, lon)
        if form == REPORT_FORM:  # it asks something else first: the form's question stands
            where = grid.name if grid else texts.LOCATION_OUTSIDE_SHORT
            return [Reply(texts.LOCATION_LATER.format(where=where))]
        if grid is None:
            return [Reply(texts.LOCATION_NOT_HERE.format(street=district.street_name))]
        return [Reply(texts.LOCATION_HERE.format(grid=grid.name))]

    async def _photo(self, incoming: Incoming, now: dt.datetime) -> list[Reply]:
        """Kept as evidence first (also while handed off: staff want it), then the caption
        is a message like any other."""
        user_id, caption = incoming.user_id, clean(incoming.text or "")
        form, _, detailed = await self._asking(user_id)

        def keep():
            actor = Actor.resident(user_id)
            with self.civic.uow() as uow:
                try:
                    # Adding details to a case: the photo is one of them.
                    return evidence.attach_photo(uow, actor=actor, file_id=incoming.file_id, now=now,
                                                 case_number=detailed, reporting=form == REPORT_FORM)
                except CaseNotFound:  # closed since the form began: the usual place then
                    pass
            with self.civic.uow() as uow:
                return evidence.attach_photo(uow, actor=actor, file_id=incoming.file_id, now=now)

        kept = await off_loop(keep)
        relayed = f"{texts.PHOTO_FOR_STAFF} {caption}".strip()
        quiet = await self._while_handed_off(user_id, relayed, now, photo_id=incoming.file_id, key=incoming.key)
        if quiet is not None:
            return quiet
        if kept.case_number:
            said = texts.PHOTO_ADDED.format(number=kept.case_number)
        else:  # a caption starts (or goes on with) the report the photo will be filed with
            said = texts.PHOTO_FOR_REPORT if kept.reporting or caption else texts.PHOTO_KEPT
        return [Reply(said)] + (await self._text(user_id, caption, now) if caption else [])

    async def _asking(self, user_id: str) -> tuple[str | None, str | None, str | None]:
        """The form the resident's conversation is in, the slot it asks for, and the case
        whose details the detail form takes (if that is the form)."""
        from rasa.shared.core.events import UserUttered

        tracker = await self.agent.tracker_store.retrieve(user_id)
        if tracker is None or tracker.active_loop_name is None:
            return None, None, None
        # After this long a new message starts a new session, which ends any form.
        expiry = self.agent.domain.session_config.session_expiration_time * 60
        last = tracker.get_last_event_for(UserUttered)
        if expiry and last is not None and time.time() - last.timestamp > expiry:
            return None, None, None
        form = tracker.active_loop_name
        detailed = tracker.get_slot("detail_case") if form == DETAIL_FORM else None
        return form, tracker.get_slot("requested_slot"), detailed

    async def _agent(self, user_id: str, text: str, now: dt.datetime) -> list[Reply]:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        channel = CollectingOutputChannel()
        await self.agent.handle_message(UserMessage(text, channel, user_id,
                                                    metadata={"now": now.isoformat()}))
        said = [(m.get("text") or "", m.get("buttons") or []) for m in channel.messages if not m.get("custom")]
        if any((m.get("custom") or {}).get("forget_conversation") for m in channel.messages):
            # The resident erased their data: the conversation goes too, now it is saved.
            await forget_conversation(self.agent, user_id)
        failed = [m["custom"][ACTION_FAILED] for m in channel.messages
                  if ACTION_FAILED in (m.get("custom") or {})]
        if failed:  # what else the dialogue said after it is not answered
            raise ActionFailed(", ".join(failed))
        return await self._offer(user_id, said, now)

    async def _offer(self, user_id: str, said: list[tuple[str, list[dict]]],
                     now: dt.datetime) -> list[Reply]:
        groups = await off_loop(self.codec.offer, user_id, [buttons for _, buttons in said],
                                kind=DIALOGUE, now=now)
        return [Reply(text, tuple(buttons), asks_phone=text == texts.ASK_CONTACT_PHONE)
                for (text, _), buttons in zip(said, groups)]

    # --- no silent failure -----------------------------------------------------------------

    async def _failed(self, incoming: Incoming, error: Exception) -> list[Reply]:
        """Tell the resident, file what they sent for staff, log the traceback masked."""
        log.error("turn of %s (%s) failed:\n%s", incoming.user_id, incoming.kind, masked_traceback(error))
        now = incoming.at or self.clock()
        said = sent_for_staff(incoming)
        try:
            relayed = await off_loop(self._file, incoming.user_id, said, now)
        except Exception as filing:
            # The log is the record now (and the channel's own, told by ``unfiled``).
            log.error("turn of %s: what was sent could not be filed for staff: %s\n%s",
                      incoming.user_id, mask(said), masked_traceback(filing))
            return [Reply(texts.SYSTEM_FAILED, unfiled=True)]
        log.info("turn of %s: what was sent is filed in handoff %s", incoming.user_id, relayed.handoff_id)
        text = texts.SYSTEM_FAILED
        if relayed.acknowledge:  # from now on staff read the messages: say so, once
            text += "\n" + texts.HANDOFF_ACK.format(when=texts.when(relayed.answer_by, now))
        return [Reply(text)]

    def _file(self, user_id: str, said: str, now: dt.datetime) -> handoff.Relayed:
        """Hand the resident to a person with what they sent, kept in the conversation."""
        actor, services = Actor.resident(user_id), self.civic.services
        try:
            with self.civic.uow() as uow:
                handoff.request_handoff(uow, services, actor=actor, reason=FAILED_HANDOFF_REASON,
                                        summary=said, now=now)
        except Exception as error:
            # Out of office hours a summary opens a case, which may be what failed: none then.
            log.warning("handoff of %s with a summary failed, trying without: %s",
                        user_id, type(error).__name__)
            with self.civic.uow() as uow:
                handoff.request_handoff(uow, services, actor=actor, reason=FAILED_HANDOFF_REASON,
                                        summary="", now=now)
        with self.civic.uow() as uow:
            relayed = handoff.relay_from_resident(uow, actor=actor, text=said, now=now)
        if relayed is None:  # staff ended it in between
            raise RuntimeError("no open handoff to keep the message in")
        return relayed


def sent_for_staff(incoming: Incoming) -> str:
    """What the resident sent, as staff read it in a handoff."""
    if incoming.kind == TEXT and clean(incoming.text):
        return clean(incoming.text)
    if incoming.kind == CONTACT and clean(incoming.phone):
        return clean(incoming.phone)
    if incoming.kind == LOCATION and incoming.location:
        lat, lon = incoming.location
        return texts.LOCATION_FOR_STAFF.format(lat=lat, lon=lon)
    if incoming.kind == PHOTO:
        return f"{texts.PHOTO_FOR_STAFF} {clean(incoming.text)}".strip()
    sent = texts.SENT_FOR_STAFF
    return sent.get(incoming.what) or sent.get(incoming.kind) or sent[OTHER]
