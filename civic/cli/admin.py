"""check-data, migrate, staff code, rates."""
from __future__ import annotations

import datetime as dt
import json
import sys

from civic.cli.common import SHANGHAI, now, store


def check_data(args) -> int:
    from civic.bootstrap import load_services

    district = load_services().district
    print(f"ok: {len(district.communities)} communities, {len(district.grids)} grids, "
          f"{len(district.staff)} staff")
    return 0


def migrate(args) -> int:
    civic = store()
    print(f"migrated {civic.engine.url.render_as_string(hide_password=True)}")
    return 0


def staff_code(args) -> int:
    from civic.services import accounts
    from civic.services.cases import staff_actor

    civic = store()
    district = civic.services.district
    staff_id = args.staff if args.staff in district.staff else next(
        (s.id for s in district.staff.values() if s.name == args.staff), None)
    if staff_id is None:
        print(f"no staff member called {args.staff!r}", file=sys.stderr)
        return 2
    issuer = args.issuer or next(s.id for s in district.staff.values() if s.role == "command_centre")
    with civic.uow() as uow:
        code = accounts.issue_link_code(uow, civic.services, actor=staff_actor(district, issuer),
                                        staff_id=staff_id, now=now())
    expires = code.expires_at.astimezone(SHANGHAI)
    print(f"{code.code}  for {district.staff[staff_id].name} ({staff_id}), "
          f"valid once until {expires:%Y-%m-%d %H:%M} (Asia/Shanghai)")
    return 0


def rates(args) -> int:
    from civic.services.rates import three_rates

    def day(text):
        return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI) if text else None

    civic = store()
    with civic.uow() as uow:
        result = three_rates(uow, grid_id=args.grid, community_id=args.community,
                             category=args.category, start=day(args.start), end=day(args.end))
    figures = {"dispatched": result.dispatched, "response_rate": result.response_rate,
               "rated": result.rated, "resolution_rate": result.resolution_rate,
               "satisfaction_rate": result.satisfaction_rate}
    if args.json:
        print(json.dumps(figures))
        return 0

    def pct(value):
        return "—" if value is None else f"{value:.1%}"

    print(f"派发 {result.dispatched} 件  响应率 {pct(result.response_rate)}  "
          f"已评价 {result.rated} 件  解决率 {pct(result.resolution_rate)}  "
          f"满意率 {pct(result.satisfaction_rate)}")
    return 0


def add_parsers(commands) -> None:
    commands.add_parser("check-data", help="load and validate data/district.yml").set_defaults(run=check_data)
    commands.add_parser("migrate", help="bring the store's schema up to date").set_defaults(run=migrate)
    staff = commands.add_parser("staff", help="staff accounts").add_subparsers(dest="what", required=True)
    code = staff.add_parser("code", help="issue a one-time Telegram link code")
    code.add_argument("staff", help="staff id or display name")
    code.add_argument("--as", dest="issuer", help="command-centre staff id issuing it")
    code.set_defaults(run=staff_code)
    r = commands.add_parser("rates", help="三率 for a grid, community, category, period")
    r.add_argument("--grid")
    r.add_argument("--community")
    r.add_argument("--category")
    r.add_argument("--from", dest="start", help="YYYY-MM-DD (Asia/Shanghai)")
    r.add_argument("--to", dest="end", help="YYYY-MM-DD, exclusive")
    r.add_argument("--json", action="store_true")
    r.set_defaults(run=rates)
