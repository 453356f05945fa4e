"""A case card: the case as staff see it, with the buttons of the moves its state allows.

The card in a grid's topic of the staff group is masked (phones, house numbers): the
group is read by many. The card a staff member opens in a private chat adds the full
address and phone when they handle the case (its assignee, the grid leader, the
command centre). Who may press which button is decided per press by the service
(civic.domain.case.WHO_MAY); the buttons show what the state allows.
"""
from __future__ import annotations

import datetime as dt

from actions import texts
from actions.texts import ACTIONS, CATEGORIES, STATES, TIERS, when
from bot.buttons import encode_staff
from civic.domain.actors import COMMAND_CENTRE, GRID_LEADER
from civic.domain.case import ASSIGNEE, CENTRE, LEADER, WHO_MAY, Case
from civic.domain.privacy import mask

STEPS = (("sign", "sign_due", "signed_at"), ("contact", "contact_due", "contacted_at"),
         ("resolve", "resolve_due", "resolved_at"))


def staff_name(district, staff_id: str | None) -> str:
    staff = district.staff.get(staff_id) if staff_id else None
    return staff.name if staff is not None else (staff_id or texts.ANY_STAFF)


def grid_name(district, grid_id: str | None) -> str:
    grid = district.grids.get(grid_id) if grid_id else None
    return grid.name if grid is not None else (grid_id or texts.NO_GRID)


def _dues(case: Case, now: dt.datetime) -> str:
    parts = []
    for step, due_field, done_field in STEPS:
        due, done = getattr(case, due_field), getattr(case, done_field)
        name = texts.CARD_STEPS[step]
        if done is not None:
            parts.append(texts.BOARD_DUE_DONE.format(step=name))
        elif due is not None:
            late = due < now
            parts.append((texts.BOARD_DUE_LATE if late else texts.BOARD_DUE).format(step=name, when=when(due, now)))
    return "；".join(parts) or "—"


def card_text(case: Case, district, now: dt.datetime, *, photos: int = 0) -> str:
    """The masked card: what, where, who, by when, and the last step."""
    text = texts.BOARD_CARD.format(
        number=case.number, category=CATEGORIES.get(case.category, case.category),
        tier=TIERS.get(case.tier, case.tier), grid=grid_name(district, case.grid_id),
        description=case.description, address=case.address or texts.BOARD_NO_ADDRESS,
        state=STATES.get(case.state.value, case.state.value),
        assignee=staff_name(district, case.assignee_id), dues=_dues(case, now))
    lines = [text]
    if case.escalation_level:
        lines.append(texts.BOARD_ESCALATED.format(level=case.escalation_level))
    if case.history:
        last = case.history[-1]
        who = "" if last.actor_role in ("system", "resident") else staff_name(district, last.actor_id)
        lines.append(texts.BOARD_LAST.format(who=who, when=when(last.at, now),
                                             action=ACTIONS.get(last.action, last.action)))
    if photos:
        lines.append(texts.BOARD_PHOTOS.format(count=photos))
    return mask("\n".join(lines))


def card_buttons(case: Case) -> list[dict]:
    """A button per move the case's state allows (staff callback data)."""
    return [{"title": texts.MOVES[move], "payload": encode_staff(move, case.number)}
            for move in case.moves_now()]


def private_detail(case: Case) -> str:
    """The full address and phone, for the one handling the case, in a private chat."""
    return texts.PRIVATE_CARD_DETAIL.format(phone=case.contact_phone or "—",
                                            address=case.address or texts.BOARD_NO_ADDRESS)


def who_may(case: Case, move: str, district) -> str:
    """Who may make ``move`` on this case, named (for a refusal)."""
    named = []
    for who in WHO_MAY.get(move, ()):
        if who == ASSIGNEE and case.assignee_id:
            named.append(texts.MAY_ASSIGNEE.format(name=staff_name(district, case.assignee_id)))
        elif who == LEADER:
            leaders = [s.name for s in district.staff.values()
                       if s.role == GRID_LEADER and case.community_id in s.communities]
            named += [texts.MAY_LEADER.format(name=name) for name in leaders]
        elif who == CENTRE:
            named.append(texts.MAY_CENTRE)
    return texts.MAY_JOIN.join(named) or texts.MAY_CENTRE


def in_charge(case: Case, actor) -> bool:
    """The staff who handle the case see its full address and phone."""
    return (actor.id == case.assignee_id or actor.role == COMMAND_CENTRE
            or (actor.role == GRID_LEADER and case.community_id in actor.communities))
