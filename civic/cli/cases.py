"""cases list, cases show, cases move: staff work on cases outside Telegram.

Moves are commands through civic.services.commands' one handler table, as the staff
member named by --as, so the transition table's rules and permissions are the same as
in the staff chat and the deadline checks.
Phones are shown (this is the staff tool) but never logged.
"""
from __future__ import annotations

import sys

from civic.cli.common import clip, iso, local, local_minute, now, print_json, staff_label, store
from civic.domain.case import State
from civic.domain.privacy import clean
from civic.services import evidence

STATE_LABELS = {"received": "已受理", "dispatched": "已派发", "accepted": "已签收",
                "in_progress": "处理中", "resolved": "已办结", "closed": "已关闭",
                "reopened": "已重启", "merged": "已合并", "rejected": "不予受理",
                "withdrawn": "已撤回"}
# Staff moves of the transition table (rate and withdraw are the reporter's own).
MOVES = ("sign", "contact", "start", "progress", "resolve", "return", "reassign", "escalate",
         "extend", "merge", "reject", "route")
NO_NOTE = ("sign", "start")  # the case records no note for these


def _state(value: str) -> str:
    return f"{value} {STATE_LABELS.get(value, '')}".strip()


def _summary(case, district) -> dict:
    return {"number": case.number, "state": case.state.value, "category": case.category,
            "tier": case.tier, "grid_id": case.grid_id, "community_id": case.community_id,
            "assignee_id": case.assignee_id,
            "assignee": district.staff[case.assignee_id].name
            if case.assignee_id in district.staff else None,
            "escalation_level": case.escalation_level, "address": case.address,
            "description": case.description, "created_at": iso(case.created_at),
            "resolve_due": iso(case.resolve_due)}


def list_cases(args) -> int:
    civic = store()
    district = civic.services.district
    if args.grid is not None and args.grid not in district.grids:
        print(f"no grid {args.grid!r}", file=sys.stderr)
        return 2
    if args.assignee is not None and args.assignee not in district.staff:
        print(f"no staff member {args.assignee!r}", file=sys.stderr)
        return 2
    with civic.uow() as uow:
        found = uow.cases.list_for_staff(grid_id=args.grid, state=args.state,
                                         assignee_id=args.assignee, limit=args.limit)
    if args.json:
        print_json([_summary(c, district) for c in found])
        return 0
    if not found:
        print("no cases")
        return 0
    for case in found:
        print(f"{case.number}  {_state(case.state.value):<14} {case.grid_id or '—':<6} "
              f"{case.category:<12} {staff_label(district, case.assignee_id):<16} "
              f"{local(case.created_at)}  {clip(case.description, 24)}")
    print(f"{len(found)} case(s), newest first (times Asia/Shanghai)")
    return 0


def _detail(case, district) -> dict:
    detail = _summary(case, district)
    detail.update({
        "reporter_id": case.reporter_id, "contact_phone": case.contact_phone,
        "informed_ids": list(case.informed_ids), "followers": len(case.followers),
        "dispatched_at": iso(case.dispatched_at), "signed_at": iso(case.signed_at),
        "contacted_at": iso(case.contacted_at), "resolved_at": iso(case.resolved_at),
        "closed_at": iso(case.closed_at), "sign_due": iso(case.sign_due),
        "contact_due": iso(case.contact_due), "solved": case.solved,
        "satisfaction": case.satisfaction, "duplicate_of": case.duplicate_of,
        "history": [{"at": iso(h.at), "actor_id": h.actor_id, "actor_role": h.actor_role,
                     "action": h.action, "from_state": h.from_state, "to_state": h.to_state,
                     "note": h.note} for h in case.history],
    })
    return detail


def _unreachable(civic, resident_id):
    """(since, why) when Telegram refuses the reporter's messages (they blocked the bot)."""
    if not resident_id:
        return None
    from civic.adapters.accounts_repository import AccountRepository

    with civic.engine.connect() as conn:
        conn.execution_options(read_only=True)
        return AccountRepository(conn).unreachable(resident_id)


def show_case(args) -> int:
    civic = store()
    district = civic.services.district
    with civic.uow() as uow:
        case = uow.cases.get(args.number)
        photos = evidence.photos_of(uow, case_number=args.number)
    if case is None:
        print(f"no case {args.number}", file=sys.stderr)
        return 1
    unreachable = _unreachable(civic, case.reporter_id)
    if args.json:
        print_json({**_detail(case, district), "reporter_unreachable": unreachable and {
            "since": iso(unreachable[0]), "why": unreachable[1]},
            "evidence": [{"kind": p.kind, "file_id": p.file_id, "received_at": iso(p.received_at),
                          "attached_at": iso(p.attached_at)} for p in photos]})
        return 0
    grid = district.grids.get(case.grid_id)
    lines = [
        f"案件 {case.number}  {_state(case.state.value)}  类别 {case.category}  等级 {case.tier}",
        f"描述  {clean(case.description)}",
        f"地址  {clean(case.address) or '—'}  网格 {case.grid_id or '—'}"
        f"{' ' + grid.name if grid else ''}  社区 {case.community_id or '—'}",
        f"报告人 {case.reporter_id or '(已删除)'}  电话 {clean(case.contact_phone) or '—'}"
        f"  关注 {len(case.followers)} 人",
        *([f"        报告人收不到机器人消息（{unreachable[1]}，自 {local(unreachable[0])}）：请电话联系"]
          if unreachable else []),
        f"承办  {staff_label(district, case.assignee_id)}  升级 {case.escalation_level} 级"
        f"  知会 {', '.join(staff_label(district, s) for s in case.informed_ids) or '—'}",
        f"时限  签收 {local(case.sign_due)}  联系 {local(case.contact_due)}"
        f"  办结 {local(case.resolve_due)}",
        f"经过  受理 {local(case.created_at)}  派发 {local(case.dispatched_at)}"
        f"  签收 {local(case.signed_at)}  联系 {local(case.contacted_at)}"
        f"  办结 {local(case.resolved_at)}  关闭 {local(case.closed_at)}",
    ]
    if case.solved is not None:
        lines.append(f"评价  {'解决了' if case.solved else '没解决'}  {case.satisfaction}")
    if case.duplicate_of:
        lines.append(f"合并至 {case.duplicate_of}")
    lines.append("历史 (Asia/Shanghai)")
    for h in case.history:
        who = staff_label(district, h.actor_id) if h.actor_id in district.staff else h.actor_id
        change = h.to_state if h.from_state == h.to_state else f"{h.from_state}→{h.to_state}"
        lines.append(f"  {local(h.at)}  {who} ({h.actor_role})  {h.action}  {change}"
                     + (f"  {clean(h.note)}" if h.note else ""))
    if photos:
        # The file id is what the bot fetches the photo by (Telegram getFile / sendPhoto).
        lines.append(f"照片 {len(photos)} 张 (Asia/Shanghai)")
        lines += [f"  {local(p.received_at)}  {clean(p.file_id)}" for p in photos]
    print("\n".join(lines))
    return 0


def move_case(args) -> int:
    from civic.services import commands
    from civic.services.cases import staff_actor

    civic = store()
    actor = staff_actor(civic.services.district, args.actor)
    options = {}
    if args.assignee:
        options["assignee_id"] = args.assignee
    if args.due:
        options["new_due"] = args.due
    if args.into:
        options["into"] = args.into
    command = commands.named(args.action, number=args.number, actor=actor, now=now(),
                             note=args.note or "", **options)
    with civic.uow() as uow:
        case = commands.handle(uow, civic.services, command).case
    print(f"{case.number} {_state(case.state.value)}  "
          f"承办 {staff_label(civic.services.district, case.assignee_id)}")
    return 0


def _check_move(parser, args) -> None:
    """Options that the move needs, or that it would silently ignore."""
    needs = {"reassign": "assignee", "extend": "due", "merge": "into"}
    takes = {"assignee": ("reassign", "route"), "due": ("extend",), "into": ("merge",)}
    wanted = needs.get(args.action)
    if wanted and getattr(args, wanted) is None:
        parser.error(f"{args.action} needs --{wanted}")
    for option, actions in takes.items():
        if getattr(args, option) is not None and args.action not in actions:
            parser.error(f"--{option} goes with {' or '.join(actions)}, not {args.action}")
    if args.note and args.action in NO_NOTE:
        parser.error(f"{args.action} takes no note")


def add_parsers(commands) -> None:
    group = commands.add_parser("cases", help="list, show and move cases").add_subparsers(
        dest="what", required=True)
    ls = group.add_parser("list", help="cases by grid, state, assignee; newest first")
    ls.add_argument("--grid")
    ls.add_argument("--state", choices=[s.value for s in State])
    ls.add_argument("--assignee", help="staff id")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=list_cases)
    show = group.add_parser("show", help="one case with its history (shows the phone)")
    show.add_argument("number")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=show_case)
    mv = group.add_parser("move", help="one move of the transition table, as a staff member")
    mv.add_argument("number")
    mv.add_argument("action", choices=MOVES)
    mv.add_argument("--as", dest="actor", required=True, metavar="STAFF_ID")
    mv.add_argument("--note", default="", help="note or reason (resolve, return, extend, "
                                               "merge, reject and progress need one)")
    mv.add_argument("--assignee", help="staff id (reassign; route by hand)")
    mv.add_argument("--due", type=local_minute, help="new deadline YYYY-MM-DDTHH:MM, Asia/Shanghai")
    mv.add_argument("--into", metavar="NUMBER", help="the case a duplicate is merged into")
    mv.set_defaults(run=move_case, check=lambda args: _check_move(mv, args))
