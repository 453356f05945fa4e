"""The one place that wires the civic core together."""
from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import yaml
from sqlalchemy.engine import Engine

from civic.adapters import migrate
from civic.adapters.database import make_engine
from civic.adapters.district_file import load_district
from civic.adapters.points_repository import load_award_limits, load_catalogue_file
from civic.domain.calendar import WorkCalendar, load_published
from civic.services import points
from civic.services.cases import Services
from civic.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent.parent / "data"


@dataclasses.dataclass
class Civic:
    engine: Engine
    services: Services

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def reader(self) -> UnitOfWork:
        """A unit of work that only reads: it takes no write lock and cannot commit."""
        return UnitOfWork(self.engine, read_only=True)


def load_services(data: Path = DATA) -> Services:
    district = load_district(data / "district.yml")
    holidays = yaml.safe_load((data / "holidays.yml").read_text(encoding="utf-8")) or {}
    calendar = WorkCalendar(list(district.office_hours), load_published(holidays))
    return Services(district=district, calendar=calendar,
                    award_limits=load_award_limits(data / "rewards.yml"))


def bootstrap(database_url: str | None = None, engine: Engine | None = None,
              run_migrations: bool = True, data: Path = DATA) -> Civic:
    """Engine, schema up to date, district and calendar loaded, rewards catalogue synced."""
    engine = engine or make_engine(database_url)
    if run_migrations:
        migrate.upgrade(engine)
    civic = Civic(engine=engine, services=load_services(data))
    if run_migrations:
        with civic.uow() as uow:
            changes = points.sync_catalogue(uow, load_catalogue_file(data / "rewards.yml"))
        if changes["stock_differs"]:
            log.info("rewards whose stock differs from data/rewards.yml: %s",
                     ", ".join(changes["stock_differs"]))
    return civic
