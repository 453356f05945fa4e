"""`python -m civic`, the admin command line, against a SQLite file."""
import datetime as dt
import os
import subprocess
import sys

from civic.adapters.database import make_engine
from civic.bootstrap import bootstrap
from civic.services import accounts


def run(tmp_path, *args):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'admin.db'}")
    return subprocess.run([sys.executable, "-m", "civic", *args], capture_output=True,
                          text=True, env=env)


def test_check_data_reports_the_district(tmp_path):
    done = run(tmp_path, "check-data")
    assert done.returncode == 0 and "13 grids" in done.stdout


def test_a_link_code_from_the_command_line_links_the_staff_member(tmp_path):
    done = run(tmp_path, "staff", "code", "王建国")
    assert done.returncode == 0, done.stderr
    code = done.stdout.split()[0]
    civic = bootstrap(engine=make_engine(f"sqlite:///{tmp_path / 'admin.db'}"))
    with civic.uow() as uow:
        staff_id = accounts.link_staff(uow, civic.services, telegram_id=42, code=code,
                                       now=dt.datetime.now(dt.timezone.utc))
    assert staff_id == "gw-wj-01"


def test_only_the_command_centre_issues_codes(tmp_path):
    done = run(tmp_path, "staff", "code", "gw-wj-01", "--as", "gw-wj-02")
    assert done.returncode == 1 and "may not issue" in done.stderr


def test_rates_print_as_json(tmp_path):
    done = run(tmp_path, "rates", "--json", "--community", "heping")
    assert done.returncode == 0
    assert '"dispatched": 0' in done.stdout


def test_bootstrap_brings_the_rewards_catalogue_into_the_store(tmp_path):
    civic = bootstrap(engine=make_engine(f"sqlite:///{tmp_path / 'boot.db'}"))
    with civic.uow() as uow:
        names = {r.name for r in uow.points.catalogue()}
    assert len(names) >= 8
