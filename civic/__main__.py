"""Admin command line for staff work outside Telegram.

    python -m civic check-data
    python -m civic migrate
    python -m civic staff code STAFF [--as CENTRE_STAFF_ID]
    python -m civic rates [--grid G] [--community C] [--category K] [--from D] [--to D] [--json]
    python -m civic cases list [--grid G] [--state S] [--assignee STAFF] [--limit N] [--json]
    python -m civic cases show NUMBER [--json]
    python -m civic cases move NUMBER ACTION --as STAFF_ID [--note TEXT] [--assignee STAFF]
                               [--due YYYY-MM-DDTHH:MM] [--into NUMBER]
        ACTION: sign contact start progress resolve return reassign escalate extend merge
                reject route
    python -m civic mediation outcome BOOKING_ID settled|not_settled|referred_to_court --as STAFF_ID
    python -m civic mediation list [--mediator ID] [--limit N] [--json]
    python -m civic points award RESIDENT_ID KIND AMOUNT --reason TEXT --as STAFF_ID [--key K]
    python -m civic points reverse RESIDENT_ID ENTRY_ID AMOUNT --reason TEXT --as STAFF_ID [--key K]
    python -m civic handoff show RESIDENT_ID
    python -m civic handoff reply RESIDENT_ID TEXT --as STAFF_ID
    python -m civic handoff end RESIDENT_ID --as STAFF_ID

The same rules and permissions as every other entry point: changes go through
civic.services as the staff member named by --as; a refusal prints "refused: ..."
and exits 1. Times shown are Asia/Shanghai. DATABASE_URL selects the store.
"""
from __future__ import annotations

import sys

from civic.cli import main

if __name__ == "__main__":
    sys.exit(main())
