"""Topic words (data/topics.yml): words that by themselves point to one report category
or to out of scope. The linear model sees each list as one feature ("topic:repair"), so a
word no training example uses still counts for its list, with the weight the examples
taught that list."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from nlu.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
TOPICS_FILE = ROOT / "data" / "topics.yml"
TOKEN_PREFIX = "topic:"


@functools.lru_cache(maxsize=4)
def _topics(path: Path = TOPICS_FILE) -> tuple[re.Pattern | None, dict[str, str]]:
    lists = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    owner: dict[str, str] = {}
    for topic, words in lists.items():
        for word in words or []:
            owner.setdefault(normalise(str(word)), topic)
    if not owner:
        return None, owner
    # Longest first, so that 电梯困人 wins over 电梯 where both are listed.
    pattern = re.compile("|".join(map(re.escape, sorted(owner, key=lambda w: (-len(w), w)))))
    return pattern, owner


def topic_words(text: str, path: Path = TOPICS_FILE) -> list[tuple[str, str]]:
    """(word, topic) of each listed word in a normalised text, left to right, not overlapping."""
    pattern, owner = _topics(path)
    return [] if pattern is None else [(m.group(), owner[m.group()]) for m in pattern.finditer(text)]


def topic_tokens(text: str, path: Path = TOPICS_FILE) -> list[str]:
    """One token per listed word found: "topic:<list>"."""
    return [TOKEN_PREFIX + topic for _, topic in topic_words(text, path)]
