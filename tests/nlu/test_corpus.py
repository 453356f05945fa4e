"""Real resident letters (a fixed sample of ../shared/corpus; `make bench-corpus` runs all
7,142 through `python -m nlu classify`): every letter gets an answer in the classify
contract. Which letters should be reports is measured on the labelled letters
(tests/nlu/test_letters.py): most letters of the corpus are no street office's matter."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlu.intents import CATEGORIES, INTENTS

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
FILES = ("messages.jsonl", "messages_with_replies.jsonl")
EVERY = 24  # every 24th letter: 298 of them, the same ones each run

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus folder {CORPUS} is absent")


def letters() -> list[str]:
    rows = [json.loads(line) for name in FILES
            for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()]
    return [" ".join(f"{row['title'].strip()} {row['text']}".split()) for row in rows]


@pytest.fixture(scope="module")
def heard(understanding, dev_now):
    return [understanding.parse(letter, dev_now) for letter in letters()[::EVERY]]


def test_every_answer_keeps_the_classify_contract(heard):
    for result in heard:
        assert result["intent"] in INTENTS
        assert (result["category"] in CATEGORIES) == (result["intent"] == "report")
        assert 0.0 <= result["confidence"] <= 1.0


def test_the_classify_command_answers_one_line_per_letter(model_path):
    sample = [letter[:300] for letter in letters()[::600]]
    done = subprocess.run(
        [sys.executable, "-m", "nlu", "classify", "--model", str(model_path), "--now", "2026-11-18T10:00"],
        input="\n".join(sample) + "\n", capture_output=True, text=True, check=True)
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["text"] for r in results] == sample and "classify:" not in done.stderr
