"""How well pinyin typed on a latin keyboard is read back (nlu/pinyin.py).

Every run of Chinese characters of a chat set is spelled in toneless pinyin, one space
between syllables, and read back; printed per set: characters right (in runs read back
to the right length), runs read back exactly, the time to build the lexicon and to read
one run. The weights of nlu/pinyin.py were chosen on the tuning sets; the blind set only
measures.

    python bench/pinyin.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.evaluate import load_dev_set  # noqa: E402
from nlu.pinyin import HANZI, language, spell  # noqa: E402

SETS = ("tune.tsv", "tune2.tsv", "tune3.tsv", "blind.tsv")


def main() -> int:
    from pypinyin import Style, lazy_pinyin

    started = time.perf_counter()
    language()
    print(f"lexicon built in {time.perf_counter() - started:.1f} s")
    print(f"{'set':>10} {'runs':>6} {'chars right':>11} {'runs exact':>10} {'p50 ms':>7} {'p99 ms':>7}")
    for name in SETS:
        runs = [r for e in load_dev_set(ROOT / "tests" / "nlu" / name) for r in HANZI.findall(e.text) if len(r) > 1]
        right = exact = chars = 0
        times = []
        for run in runs:
            spelled = " ".join(lazy_pinyin(run, style=Style.NORMAL))
            started = time.perf_counter()
            read = spell(spelled, 1) or ""
            times.append((time.perf_counter() - started) * 1000)
            chars += len(run)
            exact += read == run
            right += sum(a == b for a, b in zip(read, run)) if len(read) == len(run) else 0
        times.sort()
        print(f"{name:>10} {len(runs):>6} {right / chars:>11.3f} {exact / len(runs):>10.3f}"
              f" {statistics.median(times):>7.2f} {times[int(0.99 * (len(times) - 1))]:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
