"""The admin command line (`python -m civic`); see civic/__main__.py for the usage."""
from __future__ import annotations

import argparse
import sys


def parser() -> argparse.ArgumentParser:
    from civic.cli import admin, cases, handoff, mediation, points

    top = argparse.ArgumentParser(prog="python -m civic",
                                  description="Staff work outside Telegram; times are Asia/Shanghai.")
    commands = top.add_subparsers(dest="command", required=True)
    for module in (admin, cases, handoff, mediation, points):
        module.add_parsers(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    from civic.domain.errors import CaseNotFound, DomainError
    from civic.domain.mediation import BookingNotFound

    args = parser().parse_args(argv)
    if getattr(args, "check", None):
        args.check(args)  # exits 2 with a usage line on options that do not fit
    try:
        return args.run(args)
    except (CaseNotFound, BookingNotFound) as error:  # these carry the bare number or id
        what = "case" if isinstance(error, CaseNotFound) else "booking"
        print(f"refused: no {what} {error}", file=sys.stderr)
        return 1
    except DomainError as error:
        print(f"refused: {error}", file=sys.stderr)
        return 1
    except ValueError as error:  # bad district data names file, entry and problem
        print(str(error), file=sys.stderr)
        return 1
