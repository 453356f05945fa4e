"""The training data the project writes: enough of it, in normal form, apart from the dev set."""
from collections import Counter

import pytest

from nlu.evaluate import load_dev_set
from nlu.intents import CATEGORIES, INTENTS
from nlu.model import training_examples
from nlu.normalise import normalise


def test_every_report_category_has_sixty_examples():
    counts = Counter(intent for intent, _ in training_examples())
    for category in CATEGORIES:
        assert counts[f"report_{category}"] >= 60, category


def test_every_other_canonical_intent_has_thirty_examples():
    counts = Counter(intent for intent, _ in training_examples())
    for intent in INTENTS:
        if intent != "report":
            assert counts[intent] >= 30, intent


def test_examples_are_in_normal_form():
    # Annotations aside: "[jinxiu jiayuan 8 dong](address)" is pinyin whatever its label.
    off = [text for _, text in training_examples() if normalise(text) != text]
    assert off == [], "run: python -m nlu normalise-data data/nlu/*.yml"


def test_no_example_is_claimed_by_two_intents():
    owners = {}
    clashes = []
    for intent, text in training_examples():
        if owners.setdefault(text, intent) != intent:
            clashes.append((text, owners[text], intent))
    assert clashes == []


def test_the_dev_set_is_not_in_the_training_data():
    training = {text for _, text in training_examples()}
    leaked = [e.text for e in load_dev_set() if normalise(e.text) in training]
    assert leaked == []


@pytest.mark.parametrize("kind", ["address", "time", "phone", "case_id"])
def test_the_dev_set_covers_every_entity_type(kind):
    assert sum(kind == e[0] for ex in load_dev_set() for e in ex.entities) >= 12


def test_the_dev_set_covers_every_intent_and_category():
    examples = load_dev_set()
    assert len(examples) >= 250
    assert {e.intent for e in examples} == set(INTENTS)
    assert {e.category for e in examples if e.category} == set(CATEGORIES)
