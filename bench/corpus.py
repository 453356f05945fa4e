"""Every real resident letter of ../shared/corpus (7,142, title and whole letter: 14,284
lines) through `python -m nlu classify`: what the bot would hear, and how fast.

    .venv/bin/python bench/corpus.py
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
FILES = ("messages.jsonl", "messages_with_replies.jsonl")


def lines() -> list[str]:
    found = []
    for name in FILES:
        for row in map(json.loads, (CORPUS / name).read_text(encoding="utf-8").splitlines()):
            title, text = row["title"].strip(), " ".join(row["text"].split())
            found += [title, f"{title} {text}"]
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from nlu.model import ensure_model

    asked = lines()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nlu", "classify", "--model", str(ensure_model()),
                           "--now", "2026-11-18T10:00"], input="\n".join(asked) + "\n",
                          capture_output=True, text=True, check=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(asked), "classify answered fewer lines than it was given"
    failed = done.stderr.count("classify:")
    for part, chosen in (("titles", results[0::2]), ("letters", results[1::2])):
        intents = Counter(r["intent"] for r in chosen)
        categories = Counter(r["category"] for r in chosen if r["intent"] == "report")
        n = len(chosen)
        print(f"{part:8}: {n} heard as report {intents['report'] / n:.1%}, "
              f"turned away (out_of_scope) {intents['out_of_scope'] / n:.1%}")
        print("          intents   : " + ", ".join(f"{k} {v}" for k, v in intents.most_common()))
        print("          categories: " + ", ".join(f"{k} {v}" for k, v in categories.most_common()))
    print(f"{len(asked)} lines in {seconds:.0f} s ({len(asked) / seconds:.0f}/s, model load included); "
          f"{failed} fell back after an exception")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
