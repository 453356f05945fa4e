"""The current model on the dev set, which the training data never sees."""
import pytest

from nlu.evaluate import load_dev_set, score


@pytest.fixture(scope="module")
def scores(understanding, dev_now):
    return score(load_dev_set(), lambda text: understanding.parse(text, dev_now))


def test_intent_accuracy_is_at_least_90_percent(scores):
    assert scores.intent_accuracy >= 0.90, "\n".join(e for e in scores.errors if e.startswith("intent"))


def test_category_macro_f1_is_at_least_085(scores):
    assert scores.category_macro_f1 >= 0.85, "\n".join(e for e in scores.errors if e.startswith("intent"))


def test_entity_value_accuracy_is_at_least_90_percent(scores):
    assert scores.entity_accuracy >= 0.90, "\n".join(e for e in scores.errors if e.startswith("entity"))
