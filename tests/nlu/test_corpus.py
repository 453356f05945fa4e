"""Every real resident letter goes through `python -m nlu classify` without an error."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlu.intents import CATEGORIES, INTENTS

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
FILES = ("messages.jsonl", "messages_with_replies.jsonl")


def corpus_lines() -> list[str]:
    lines = []
    for name in FILES:
        for row in map(json.loads, (CORPUS / name).read_text(encoding="utf-8").splitlines()):
            title, text = row["title"].strip(), " ".join(row["text"].split())
            lines += [title, f"{title} {text}"]
    return lines


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is absent")
def test_every_corpus_message_is_classified(model_path):
    lines = corpus_lines()
    done = subprocess.run(
        [sys.executable, "-m", "nlu", "classify", "--model", str(model_path),
         "--now", "2026-11-18T10:00"],
        input="\n".join(lines) + "\n", capture_output=True, text=True, check=True,
    )
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(lines)
    assert "classify:" not in done.stderr  # no line fell back after an exception
    for line, result in zip(lines, results):
        assert result["text"] == line
        assert result["intent"] in INTENTS
        assert (result["category"] in CATEGORIES) == (result["intent"] == "report")
        assert 0.0 <= result["confidence"] <= 1.0
