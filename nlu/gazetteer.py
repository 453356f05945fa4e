"""Place names of the district, read from data/district.yml (names only, no routing)."""
from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DISTRICT_FILE = ROOT / "data" / "district.yml"
DOMAIN_WORDS_FILE = ROOT / "data" / "jieba" / "domain_words.txt"


@dataclasses.dataclass(frozen=True)
class PlaceName:
    surface: str  # as residents write it
    kind: str  # estate | road | landmark | community | street
    canonical: str


@functools.lru_cache(maxsize=4)
def place_names(path: Path = DISTRICT_FILE) -> tuple[PlaceName, ...]:
    """Every name and alias in the district file, longest first, without duplicates."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    names: dict[tuple[str, str], PlaceName] = {}

    def add(kind: str, entry: dict) -> None:
        canonical = entry["name"]
        for surface in [canonical, *entry.get("aliases", [])]:
            names.setdefault((surface, kind), PlaceName(surface, kind, canonical))

    add("street", data["street"])
    for community in data["communities"]:
        add("community", community)
        for grid in community["grids"]:
            for estate in grid.get("estates", []):
                add("estate", estate)
            for road in grid.get("roads", []):
                add("road", road)
            for landmark in grid.get("landmarks", []):
                add("landmark", landmark)
    return tuple(sorted(names.values(), key=lambda n: (-len(n.surface), n.surface)))


@functools.lru_cache(maxsize=4)
def mediator_names(path: Path = DISTRICT_FILE) -> tuple[str, ...]:
    """The names of the district's mediators, whom residents may answer with by name."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return tuple(s["name"] for s in data.get("staff", []) if s.get("role") == "mediator")


def domain_words(path: Path = DOMAIN_WORDS_FILE) -> list[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def jieba_dictionary(district: Path = DISTRICT_FILE, words: Path = DOMAIN_WORDS_FILE) -> str:
    """The jieba user dictionary: place names (ns) and domain words (n), one per line."""
    lines = [f"{n.surface} 2000 ns" for n in place_names(district)]
    lines += [f"{w} 1000 n" for w in domain_words(words)]
    return "\n".join(dict.fromkeys(lines)) + "\n"
