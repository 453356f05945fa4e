"""handoff show, reply, end: staff answer and end a resident's handoff until the staff chat exists."""
from __future__ import annotations

import sys

from civic.cli.common import local, now, store
from civic.domain.privacy import clean


def end(args) -> int:
    from civic.services import handoff
    from civic.services.cases import staff_actor

    civic = store()
    actor = staff_actor(civic.services.district, args.staff)
    with civic.uow() as uow:
        ended = handoff.end_handoff(uow, actor=actor, now=now(), resident_id=args.resident)
    if ended is None:
        print(f"refused: {args.resident} is not handed off", file=sys.stderr)
        return 1
    print(f"ended handoff {ended.handoff_id} of {ended.resident_id}; they are asked to rate the help")
    return 0


def reply(args) -> int:
    from civic.services import handoff
    from civic.services.cases import staff_actor

    civic = store()
    actor = staff_actor(civic.services.district, args.staff)
    with civic.uow() as uow:
        handoff.reply_from_staff(uow, civic.services, actor=actor, resident_id=args.resident,
                                 text=args.text, now=now())
    print(f"sent to {args.resident}")
    return 0


def show(args) -> int:
    civic = store()
    with civic.reader() as uow:
        current = uow.handoffs.open_for(args.resident)
        said = uow.handoffs.messages(current.id) if current else []
    if current is None:
        print(f"{args.resident} is not handed off")
        return 0
    print(f"handoff {current.id}: {current.reason}, since {local(current.requested_at)}, "
          f"answer by {local(current.answer_by)}" + (f", case {current.case_number}" if current.case_number else ""))
    for at, sender, text in said:
        print(f"  {local(at)}  {sender}: {clean(text)}")
    return 0


def add_parsers(commands) -> None:
    top = commands.add_parser("handoff", help="residents handed to a person")
    what = top.add_subparsers(dest="what", required=True)
    e = what.add_parser("end", help="end a resident's handoff (the resident is asked to rate it)")
    e.add_argument("resident", help="the resident's id")
    e.add_argument("--as", dest="staff", required=True, help="staff id ending it")
    e.set_defaults(run=end)
    r = what.add_parser("reply", help="answer a handed-off resident in their chat")
    r.add_argument("resident")
    r.add_argument("text")
    r.add_argument("--as", dest="staff", required=True, help="staff id answering")
    r.set_defaults(run=reply)
    s = what.add_parser("show", help="a resident's open handoff and what they said in it")
    s.add_argument("resident")
    s.set_defaults(run=show)
