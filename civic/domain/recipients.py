"""Who hears of an event: pure functions of the event's payload and, for a case event,
the case as the unit of work commits it.

The registry (civic.domain.events) says which audiences an event goes to; here each
audience is found, with the few events that find one differently named in RULES.

Recipient addresses are strings ``<kind>:<id>``:

- ``resident:<resident id>``: a resident (their Telegram user id; the console's --user);
- ``staff:<staff id>``: a staff member of data/district.yml, e.g. ``staff:gw-wj-01``;
- ``centre:desk``: the street command centre's desk. The centre is several people
  (cc-liang, cc-jiang); the staff channel posts the desk's messages where they all
  read (their topic of the staff group), rather than paging one of them.

The actor of an event is never told of their own act, one person hears of one event
once, in the first of its audiences they belong to, and a resident who erased their
data (their records carry an erased marker) hears nothing.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from civic.domain import events as ev
from civic.domain.accounts import ERASED_PREFIX
from civic.domain.actors import RESIDENT, SYSTEM

CENTRE_DESK = "centre:desk"
TOP_LEVEL = 2  # escalation level at which the case is the command centre's


@dataclasses.dataclass(frozen=True)
class Recipient:
    address: str  # resident:<id> | staff:<id> | centre:desk
    audience: str  # one of civic.domain.events' audiences: decides the words

    @property
    def kind(self) -> str:
        return kind_of(self.address)


def resident(resident_id: str) -> str:
    return f"{ev.RESIDENT_KIND}:{resident_id}"


def staff(staff_id: str) -> str:
    return f"{ev.STAFF_KIND}:{staff_id}"


def kind_of(address: str) -> str:
    return address.partition(":")[0]


def id_of(address: str) -> str:
    return address.partition(":")[2]


# --- how each audience is found -------------------------------------------------------
# case is the case aggregate for case events (None otherwise); for the assignee it is
# read as committed, which is the assignee of the event: a move that changes the
# assignee names the new one in its payload.

Finder = Callable[[dict, object], list]


def _reporter(data: dict, case) -> list[str]:
    return [resident(case.reporter_id)] if case is not None and case.reporter_id else []


def _followers(data: dict, case) -> list[str]:
    return [resident(r) for r in sorted(case.followers)] if case is not None else []


def _assignee(data: dict, case) -> list[str]:
    assignee = data.get("assignee_id") or (case.assignee_id if case is not None else None)
    return [staff(assignee)] if assignee else []


def _informed(data: dict, case) -> list[str]:
    informed = data.get("informed_ids")
    if informed is None and case is not None:
        informed = case.informed_ids
    return [staff(s) for s in informed or ()]


def _resolver(data: dict, case) -> list[str]:
    """The staff member who resolved the case (a rating reopened it; by then the case
    may be routed to someone else in the same transaction)."""
    resolved = [h for h in (case.history if case is not None else ()) if h.action == ev.RESOLVED]
    return [staff(resolved[-1].actor_id)] if resolved else []


def _resident(data: dict, case) -> list[str]:
    return [resident(data["resident_id"])] if data.get("resident_id") else []


def _mediator(data: dict, case) -> list[str]:
    return [staff(data["mediator_id"])] if data.get("mediator_id") else []


def _centre(data: dict, case) -> list[str]:
    return [CENTRE_DESK]


def _centre_at_top(data: dict, case) -> list[str]:
    return [CENTRE_DESK] if int(data.get("level") or 0) >= TOP_LEVEL else []


FIND: dict[str, Finder] = {
    ev.REPORTER: _reporter, ev.FOLLOWER: _followers, ev.RESIDENT: _resident,
    ev.ASSIGNEE: _assignee, ev.INFORMED: _informed, ev.MEDIATOR: _mediator,
    ev.CENTRE: _centre,
}
# (event, audience) pairs found otherwise than FIND says.
RULES: dict[tuple[str, str], Finder] = {
    (ev.REOPENED, ev.ASSIGNEE): _resolver,
    (ev.ESCALATED, ev.CENTRE): _centre_at_top,
}


def _actor(data: dict) -> set[str]:
    """The addresses of whoever did it. Points events name the actor but not their role."""
    actor_id, role = data.get("actor_id"), data.get("actor_role")
    if not actor_id or role == SYSTEM:
        return set()
    if role == RESIDENT:
        return {resident(actor_id)}
    if role:
        return {staff(actor_id)}
    return {resident(actor_id), staff(actor_id)}


def recipients(name: str, data: dict, case=None) -> list[Recipient]:
    """Who hears of event ``name`` with payload ``data`` (and its case, for case events).

    Raises civic.domain.events.UnknownEvent for a name that is not registered.
    """
    kind = ev.kind(name)
    skip, found = _actor(data), []
    for audience in kind.audiences:
        find = RULES.get((name, audience), FIND[audience])
        for address in find(data, case):
            if address not in skip and not id_of(address).startswith(ERASED_PREFIX):
                skip.add(address)
                found.append(Recipient(address, audience))
    return found
