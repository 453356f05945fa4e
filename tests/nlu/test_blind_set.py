"""The blind set (tests/nlu/blind.tsv, see BLIND.md) stays blind: frozen as written, and
no training example shares a run of 8 characters with any of its messages, so a
figure measured on it is a figure on messages the model never saw."""
import csv
import hashlib
from pathlib import Path

import pytest

from nlu.model import ROOT

BLIND = Path(__file__).with_name("blind.tsv")
# The file as its author wrote it (commit eafde1e). Never edit it: write a new set.
FROZEN_SHA256 = "c3715b59be519c974800723e950b1b2c512ca10a995169b97ad7cd99365e2e64"
RUN = 8


def blind_messages() -> list[str]:
    with BLIND.open(encoding="utf-8", newline="") as rows:
        return [row["text"] for row in csv.DictReader(rows, delimiter="\t")]


def training_texts() -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [example.get("text") for example in load_data(str(ROOT / "data" / "nlu")).training_examples]


def test_the_blind_set_is_frozen():
    assert hashlib.sha256(BLIND.read_bytes()).hexdigest() == FROZEN_SHA256


def test_no_training_example_shares_8_characters_with_a_blind_message():
    training = "\n".join(training_texts())
    shared = {message: run for message in blind_messages()
              for run in (message[i:i + RUN] for i in range(len(message) - RUN + 1)) if run in training}
    assert shared == {}


def blind_rows() -> list[dict]:
    with BLIND.open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows, delimiter="\t"))


def test_no_report_is_turned_away_and_what_is_out_of_scope_is_said_so(understanding, dev_now):
    """The figures of the dialogue's answer on the blind set: a report the model put out of
    scope is still offered as a report ("您是想反映……吗？") when it may be one, and a
    message truly out of scope is told so rather than offered a report."""
    from nlu.intents import answered_out_of_scope

    rows = blind_rows()
    said = {row["text"]: answered_out_of_scope(understanding.parse(row["text"], dev_now)) for row in rows}
    reports = [row["text"] for row in rows if row["intent"] == "report"]
    outside = [row["text"] for row in rows if row["intent"] == "out_of_scope"]
    turned_away = [text for text in reports if said[text]]
    recall = sum(said[text] for text in outside) / len(outside)
    assert len(turned_away) / len(reports) <= 0.02, turned_away
    # bench/nlu.py measures 0.95 (19 of 20); the goal is 0.85.
    assert recall >= 0.85, [text for text in outside if not said[text]]


@pytest.fixture(scope="module")
def blind_scores(understanding, dev_now):
    from nlu.evaluate import load_dev_set, score

    return score(load_dev_set(BLIND), lambda text: understanding.parse(text, dev_now))


# The goals are intent 0.92, category macro-F1 0.88, entities 0.90. bench/nlu.py
# measures 0.917 / 0.913 / 0.972: the intent goal is not reached yet, so its floor sits
# under what the model does now (a retraining on another machine moves it by a point).
def test_blind_intent_accuracy(blind_scores):
    assert blind_scores.intent_accuracy >= 0.90, "\n".join(
        e for e in blind_scores.errors if e.startswith("intent"))


def test_blind_category_macro_f1(blind_scores):
    assert blind_scores.category_macro_f1 >= 0.88, "\n".join(
        e for e in blind_scores.errors if e.startswith("intent"))


def test_blind_entity_accuracy(blind_scores):
    assert blind_scores.entity_accuracy >= 0.90, "\n".join(
        e for e in blind_scores.errors if e.startswith("entity"))
