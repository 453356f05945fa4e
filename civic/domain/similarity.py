"""Whether two reports describe the same problem: overlap of character bigrams."""
from __future__ import annotations

import re

SAME_PROBLEM = 0.3
_NOISE = re.compile(r"[\s\W\d]+")


def bigrams(text: str) -> set[str]:
    text = _NOISE.sub("", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def similar(a: str, b: str, threshold: float = SAME_PROBLEM) -> bool:
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return False
    return len(x & y) / len(x | y) >= threshold
