"""Store benchmark on PostgreSQL (a schema of its own, dropped afterwards).

    python bench/store.py [--cases 1000000] [--url postgresql://postgres@127.0.0.1:5432/test]

Prints: case creation throughput through the real handler (one writer, and eight at
once); reward redemptions per second under contention (eight threads, one reward of
limited stock), checked for overdraw; then, with --cases loaded: p50/p95/p99 of a
resident's "my cases" list and of a case-by-number lookup, and the time of a 三率
report over all cases.
Also mediation bookings per second: 200 residents on eight threads competing for one
day's slots, checked for double booking.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from civic.adapters import migrate  # noqa: E402
from civic.adapters.tables_mediation import bookings as booking_rows  # noqa: E402
from civic.bootstrap import Civic, load_services  # noqa: E402
from civic.domain.actors import Actor  # noqa: E402
from civic.domain.mediation import SlotTaken  # noqa: E402
from civic.domain.points import NotEnoughPoints, OutOfStock, Reward  # noqa: E402
from civic.services import accounts  # noqa: E402
from civic.services import cases as handlers  # noqa: E402
from civic.services import mediation  # noqa: E402
from civic.services import points  # noqa: E402
from civic.services.rates import three_rates  # noqa: E402

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.timezone.utc)
CATEGORIES = ("parking", "elderly_care", "dispute", "repair", "noise", "environment", "safety", "other")
STATES = ("dispatched", "accepted", "in_progress", "resolved", "closed", "closed", "closed", "withdrawn")
RESIDENTS_PER_MILLION = 100_000


def percentiles(ms: list[float]) -> str:
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {cuts[49]:.2f} ms  p95 {cuts[94]:.2f} ms  p99 {cuts[98]:.2f} ms"


def creation_throughput(civic: Civic, count: int, writers: int) -> float:
    addresses = ["望江花园3号楼", "清溪路18号", "阳光花园16栋", "和平里5号楼", "人民路88号"]
    per_writer = count // writers

    def write(w: int) -> None:
        for i in range(per_writer):
            with civic.uow() as uow:
                handlers.report_case(
                    uow, civic.services, actor=Actor.resident(f"bench-{w}-{i}"), category=CATEGORIES[i % 8],
                    description=f"基准测试问题 {w}-{i}", address=addresses[i % len(addresses)],
                    now=NOW, file_anyway=True)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return per_writer * writers / (time.perf_counter() - start)


def booking_throughput(civic: Civic, residents: int = 200, workers: int = 8) -> tuple[float, str]:
    """Residents on eight threads book one day's mediation slots with any mediator, half
    in person and half online; a lost race looks again and tries another free slot, until
    the day is full. Then check that no mediator or room holds two live bookings at once."""
    day = dt.date(2026, 11, 19)  # the working day after NOW
    outcomes = {"booked": 0, "lost": 0, "full": 0}
    lock = threading.Lock()

    def work(w: int) -> None:
        for r in range(w, residents, workers):
            resident, mode, rng = f"bench-m-{r}", ("in_person", "online")[r % 2], random.Random(r)
            while True:
                with civic.uow() as uow:
                    free = mediation.available_slots(uow, civic.services, day=day, mode=mode, now=NOW)
                if not free:
                    outcome = "full"
                    break
                try:
                    with civic.uow() as uow:
                        mediation.book(uow, civic.services, actor=Actor.resident(resident),
                                       mediator_id=None, mode=mode, starts_at=rng.choice(free).starts_at,
                                       dispute="基准测试：邻里纠纷", other_party_name="某某", now=NOW)
                    outcome = "booked"
                    break
                except SlotTaken:
                    with lock:
                        outcomes["lost"] += 1
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    per_second = outcomes["booked"] / (time.perf_counter() - start)
    b = booking_rows.c
    live = b.state == "booked"
    with civic.engine.connect() as conn:
        doubled = sum(conn.execute(
            select(func.count()).select_from(select(column, b.starts_at).where(live, column.isnot(None))
                                             .group_by(column, b.starts_at)
                                             .having(func.count() > 1).subquery())).scalar_one()
            for column in (b.mediator_id, b.room_id))
    verdict = "no double booking" if doubled == 0 else f"DOUBLE BOOKED: {doubled} slots"
    return per_second, (f"{outcomes['booked']} booked for {residents} residents, {outcomes['lost']} "
                        f"lost races retried, {outcomes['full']} found the day full; {verdict}")


def redemption_throughput(civic: Civic, threads: int = 8, attempts: int = 100,
                          residents: int = 32, stock: int = 600) -> tuple[float, str]:
    """Eight threads redeem one reward of limited stock for residents they share, so
    both the per-resident lock and the stock row are contended; then check that no
    balance went below zero and no more was handed out than was in stock."""
    price, grant = 10, 10 * (threads * attempts // residents + 5)
    staff = handlers.staff_actor(civic.services.district, "cc-liang")  # awards anyone of the street
    limits = civic.services.award_limits
    with civic.uow() as uow:
        points.sync_catalogue(uow, [Reward("bench-towel", "毛巾", price, stock)])
    for r in range(residents):
        with civic.uow() as uow:  # points go to registered residents
            accounts.register(uow, actor=Actor.resident(f"bench-r-{r}"), display_name=None, now=NOW)
        left, day = grant, 0
        while left:  # one award a day, each within data/rewards.yml's limits
            amount = min(left, limits.per_award, limits.per_resident_per_day)
            with civic.uow() as uow:
                points.award(uow, civic.services, actor=staff, resident_id=f"bench-r-{r}",
                             kind="public_virtue", amount=amount, reason="基准测试", key=f"bench-{day}",
                             now=NOW + dt.timedelta(days=day))
            left, day = left - amount, day + 1
    outcomes = {"won": 0, "out": 0, "short": 0}
    lock = threading.Lock()

    def redeem(w: int) -> None:
        for i in range(attempts):
            resident = f"bench-r-{(w * attempts + i) % residents}"
            try:
                with civic.uow() as uow:
                    points.redeem(uow, actor=Actor.resident(resident), resident_id=resident,
                                  reward_id="bench-towel", now=NOW)
                outcome = "won"
            except OutOfStock:
                outcome = "out"
            except NotEnoughPoints:
                outcome = "short"
            with lock:
                outcomes[outcome] += 1

    workers = [threading.Thread(target=redeem, args=(w,)) for w in range(threads)]
    start = time.perf_counter()
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    per_second = threads * attempts / (time.perf_counter() - start)
    with civic.uow() as uow:
        balances = [points.balance(uow, f"bench-r-{r}", actor=staff) for r in range(residents)]
        left = next(r.stock for r in points.catalogue(uow) if r.id == "bench-towel")
    spent = residents * grant - sum(balances)
    sound = (min(balances) >= 0 and left >= 0 and outcomes["won"] == stock - left
             and spent == outcomes["won"] * price)
    verdict = "no overdraw" if sound else f"OVERDRAW: balances {min(balances)}, stock {left}"
    return per_second, (f"{outcomes['won']} won, {outcomes['out']} out of stock, "
                        f"{outcomes['short']} short of points; {verdict}")


def load_cases(civic: Civic, count: int) -> None:
    """Bulk-load synthetic cases (two history lines each) with COPY."""
    rng = random.Random(7)
    residents = max(1, count * RESIDENTS_PER_MILLION // 1_000_000)
    grids = list(civic.services.district.grids.values())
    cases_csv, history_csv = io.StringIO(), io.StringIO()
    base = dt.datetime(2025, 1, 1)
    for n in range(count):
        created = base + dt.timedelta(minutes=n % 900_000)
        number = f"{created:%Y%m%d}-{n:07d}"
        grid = grids[n % len(grids)]
        state = STATES[n % len(STATES)]
        rated = state == "closed"
        signed = created + dt.timedelta(minutes=rng.randint(5, 200))
        contacted = signed + dt.timedelta(hours=rng.randint(1, 30))
        cases_csv.write("\t".join([
            number, f"resident-{rng.randrange(residents)}", CATEGORIES[n % 8], "ordinary",
            "synthetic", "和平路1号", grid.id, grid.community_id, state, "gw-x", "", "0",
            str(created), str(created), str(signed), str(contacted), "\\N", "\\N",
            str(created + dt.timedelta(hours=2)), str(created + dt.timedelta(days=1)),
            str(created + dt.timedelta(days=9)),
            ("t" if rng.random() < 0.9 else "f") if rated else "\\N",
            rng.choice(["satisfied", "basically_satisfied", "dissatisfied"]) if rated else "\\N",
            "\\N", "\\N", "1"]) + "\n")
        for action in ("received", "routed"):
            history_csv.write(f"{number}\t{created}\tsystem\tsystem\t{action}\treceived\tdispatched\t\n")
    columns = ("number, reporter_id, category, tier, description, address, grid_id, community_id, "
               "state, assignee_id, informed_ids, escalation_level, created_at, dispatched_at, "
               "signed_at, contacted_at, resolved_at, closed_at, sign_due, contact_due, resolve_due, "
               "solved, satisfaction, duplicate_of, contact_phone, version")
    raw = civic.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cases_csv.seek(0)
        cursor.copy_expert(f"COPY cases ({columns}) FROM STDIN", cases_csv)
        history_csv.seek(0)
        cursor.copy_expert("COPY case_history (case_number, at, actor_id, actor_role, action, "
                           "from_state, to_state, note) FROM STDIN", history_csv)
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def timed(fn, samples: int) -> list[float]:
    ms = []
    for _ in range(samples):
        start = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - start) * 1000)
    return ms


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()

    admin = create_engine(args.url, future=True)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(args.url, future=True, pool_size=12,
                           connect_args={"options": f"-csearch_path={schema}"})
    try:
        migrate.upgrade(engine)
        civic = Civic(engine=engine, services=load_services())
        print(f"store benchmark on {engine.dialect.name}, schema {schema}")
        print(f"case creation, 1 writer : {creation_throughput(civic, 400, 1):7.0f} cases/s")
        print(f"case creation, 8 writers: {creation_throughput(civic, 800, 8):7.0f} cases/s")
        per_second, checked = booking_throughput(civic)
        print(f"mediation, 8 threads    : {per_second:7.0f} bookings/s ({checked})")
        per_second, checked = redemption_throughput(civic)
        print(f"redemption, 8 threads   : {per_second:7.0f} redemptions/s ({checked})")

        start = time.perf_counter()
        load_cases(civic, args.cases)
        print(f"loaded {args.cases:,} cases in {time.perf_counter() - start:.0f} s")
        residents = max(1, args.cases * RESIDENTS_PER_MILLION // 1_000_000)
        rng = random.Random(11)
        with civic.uow() as uow:
            mine = timed(lambda: handlers.my_cases(
                uow, actor=Actor.resident(f"resident-{rng.randrange(residents)}")), args.samples)
            print(f"my cases (own + followed)   : {percentiles(mine)}")

            def lookup():
                n = rng.randrange(args.cases)
                created = dt.datetime(2025, 1, 1) + dt.timedelta(minutes=n % 900_000)
                uow.cases.get(f"{created:%Y%m%d}-{n:07d}")

            print(f"case by number (with history): {percentiles(timed(lookup, args.samples))}")
            start = time.perf_counter()
            rates = three_rates(uow)
            took = time.perf_counter() - start
        print(f"三率 over {rates.dispatched:,} dispatched cases: {took * 1000:.0f} ms "
              f"(response {rates.response_rate:.1%}, resolution {rates.resolution_rate:.1%}, "
              f"satisfaction {rates.satisfaction_rate:.1%})")
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
