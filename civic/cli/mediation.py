"""mediation outcome, mediation list."""
from __future__ import annotations

import sys

from civic.cli.common import clip, iso, local, now, print_json, staff_label, store
from civic.domain.mediation import OUTCOMES

OUTCOME_LABELS = {"settled": "调解成功", "not_settled": "调解未成功",
                  "referred_to_court": "引导诉讼"}


def record_outcome(args) -> int:
    from civic.services.cases import staff_actor
    from civic.services.mediation import record_outcome as record

    civic = store()
    actor = staff_actor(civic.services.district, args.actor)
    with civic.uow() as uow:
        booking = record(uow, civic.services, actor=actor, booking_id=args.booking,
                         outcome=args.outcome, now=now())
    linked = f"  case {booking.case_number}" if booking.case_number else ""
    print(f"{booking.id} {booking.state}: {booking.outcome} "
          f"{OUTCOME_LABELS[booking.outcome]}{linked}")
    return 0


def list_bookings(args) -> int:
    from civic.domain.district import MEDIATOR

    civic = store()
    district = civic.services.district
    if args.mediator is not None and getattr(district.staff.get(args.mediator), "role",
                                             None) != MEDIATOR:
        print(f"no mediator {args.mediator!r}", file=sys.stderr)
        return 2
    with civic.uow() as uow:
        found = uow.bookings.latest(args.mediator, args.limit)
    if args.json:
        print_json([{"id": b.id, "state": b.state, "outcome": b.outcome,
                     "starts_at": iso(b.starts_at), "ends_at": iso(b.ends_at),
                     "mediator_id": b.mediator_id, "mode": b.mode, "room_id": b.room_id,
                     "resident_id": b.resident_id, "other_party_name": b.other_party_name,
                     "case_number": b.case_number, "dispute": b.dispute} for b in found])
        return 0
    if not found:
        print("no bookings")
        return 0
    for b in found:
        print(f"{b.id}  {local(b.starts_at)}  {b.state:<9} {b.outcome or '—':<17} "
              f"{staff_label(district, b.mediator_id):<10} {b.mode:<9} {b.room_id or '—':<8} "
              f"{b.resident_id}  {b.case_number or '—'}  {clip(b.dispute, 24)}")
    print(f"{len(found)} booking(s), latest slot first (times Asia/Shanghai)")
    return 0


def add_parsers(commands) -> None:
    group = commands.add_parser("mediation", help="mediation bookings").add_subparsers(
        dest="what", required=True)
    out = group.add_parser("outcome", help="record how a mediation ended")
    out.add_argument("booking", metavar="BOOKING_ID")
    out.add_argument("outcome", choices=OUTCOMES)
    out.add_argument("--as", dest="actor", required=True, metavar="STAFF_ID",
                     help="the booking's mediator or a command-centre staff id")
    out.set_defaults(run=record_outcome)
    ls = group.add_parser("list", help="bookings, latest slot first")
    ls.add_argument("--mediator", help="mediator staff id")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=list_bookings)
