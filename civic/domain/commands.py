"""Commands: what someone asks to be done to a case, as plain data.

One dataclass per move of DESIGN.md's transition table, plus the resident's own
(rate, withdraw, add a detail, hurry). Every command names the case, who asks and
when; civic.services.commands runs each through one handler table, whoever sends
it: the admin command line, the chat, the staff buttons or the deadline checks.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from civic.domain.actors import Actor


@dataclasses.dataclass(frozen=True)
class Command:
    number: str
    actor: Actor
    now: dt.datetime


@dataclasses.dataclass(frozen=True)
class Sign(Command):
    pass


@dataclasses.dataclass(frozen=True)
class Contact(Command):
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Start(Command):
    pass


@dataclasses.dataclass(frozen=True)
class Progress(Command):
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Resolve(Command):
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Return(Command):
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Reassign(Command):
    assignee_id: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Escalate(Command):
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Extend(Command):
    new_due: dt.datetime
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Merge(Command):
    into: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Reject(Command):
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Route(Command):
    assignee_id: str | None = None  # by hand (the command centre); None: as the district says
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Rate(Command):
    solved: bool
    satisfaction: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Withdraw(Command):
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Detail(Command):
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Hurry(Command):
    pass


# The words the admin command line and the staff buttons use for each command.
BY_NAME: dict[str, type[Command]] = {
    "sign": Sign, "contact": Contact, "start": Start, "progress": Progress,
    "resolve": Resolve, "return": Return, "reassign": Reassign, "escalate": Escalate,
    "extend": Extend, "merge": Merge, "reject": Reject, "route": Route, "rate": Rate,
    "withdraw": Withdraw, "detail": Detail, "hurry": Hurry,
}
