"""points award, points reverse: staff change a resident's volunteer points.

A change needs an idempotency key: by default one made from the command's own
arguments, so running the same command again counts once; pass --key for a
second change that is otherwise the same.
"""
from __future__ import annotations

import hashlib

from civic.cli.common import now, store


def _key(*parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"cli:{parts[0]}:{digest[:32]}"


def _report(entry, at, balance, done: str) -> None:
    if entry.at != at:  # the service handed back the change made earlier under this key
        print(f"already recorded as entry {entry.id} (same key; give --key for another)")
    else:
        print(f"{done}, entry {entry.id}")
    print(f"balance {entry.resident_id}: {balance}")


def award(args) -> int:
    from civic.services import points
    from civic.services.cases import staff_actor

    civic = store()
    actor = staff_actor(civic.services.district, args.actor)
    key = args.key or _key("award", actor.id, args.resident, args.kind, args.amount, args.reason)
    at = now()
    with civic.uow() as uow:
        entry = points.award(uow, civic.services, actor=actor, resident_id=args.resident,
                             kind=args.kind, amount=args.amount, reason=args.reason, key=key,
                             now=at)
    with civic.uow() as uow:
        balance = points.balance(uow, args.resident, actor=actor)
    _report(entry, at, balance, f"awarded {entry.amount} {entry.kind} points")
    return 0


def reverse(args) -> int:
    from civic.services import points
    from civic.services.cases import staff_actor

    civic = store()
    actor = staff_actor(civic.services.district, args.actor)
    key = args.key or _key("reverse", actor.id, args.resident, args.entry, args.amount,
                           args.reason)
    at = now()
    with civic.uow() as uow:
        entry = points.reverse(uow, civic.services, actor=actor, resident_id=args.resident,
                               entry_id=args.entry, amount=args.amount, reason=args.reason,
                               key=key, now=at)
    with civic.uow() as uow:
        balance = points.balance(uow, args.resident, actor=actor)
    _report(entry, at, balance, f"reversed {-entry.amount} points of entry {args.entry}")
    return 0


def add_parsers(commands) -> None:
    from civic.domain.points import KINDS

    group = commands.add_parser("points", help="award and reverse volunteer points").add_subparsers(
        dest="what", required=True)
    aw = group.add_parser("award", help="award points with a reason")
    aw.add_argument("resident", metavar="RESIDENT_ID")
    aw.add_argument("kind", choices=list(KINDS))
    aw.add_argument("amount", type=int)
    rv = group.add_parser("reverse", help="take back all or part of an award, never below zero")
    rv.add_argument("resident", metavar="RESIDENT_ID")
    rv.add_argument("entry", metavar="ENTRY_ID", type=int)
    rv.add_argument("amount", type=int)
    for sub, run in ((aw, award), (rv, reverse)):
        sub.add_argument("--reason", required=True)
        sub.add_argument("--as", dest="actor", required=True, metavar="STAFF_ID")
        sub.add_argument("--key", help="idempotency key (default: made from the arguments)")
        sub.set_defaults(run=run)
