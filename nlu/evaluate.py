"""Scores on the dev set: intent accuracy, category macro-F1, entity value accuracy."""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Callable

from nlu.intents import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "tests" / "nlu" / "dev.tsv"
# The dev set's times are written relative to this moment (a Wednesday).
DEV_NOW = dt.datetime(2026, 11, 18, 10, 0)


@dataclasses.dataclass(frozen=True)
class Example:
    text: str
    intent: str
    category: str | None
    entities: tuple[tuple[str, str, str | None], ...]  # (entity, value, part)


@dataclasses.dataclass
class Scores:
    intent_accuracy: float
    category_macro_f1: float
    entity_accuracy: float
    entity_precision: float
    examples: int
    entities: int
    errors: list[str]


def load_dev_set(path: Path = DEV_SET) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Example(
            text=row["text"],
            intent=row["intent"],
            category=row["category"] or None,
            entities=tuple(_key(e) for e in json.loads(row["entities"])),
        )
        for row in rows
    ]


def _key(entity: dict) -> tuple[str, str, str | None]:
    return entity["entity"], entity["value"], entity.get("part")


def macro_f1(gold: list[str | None], predicted: list[str | None], labels=CATEGORIES) -> float:
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def score(examples: list[Example], parse: Callable[[str], dict]) -> Scores:
    """Score a parser that maps raw text to the classify contract's object."""
    results = [parse(e.text) for e in examples]
    errors = []
    intent_hits = entity_hits = predicted_entities = true_predicted = gold_entities = 0
    for example, result in zip(examples, results):
        if result["intent"] == example.intent:
            intent_hits += 1
        else:
            errors.append(f"intent {example.intent}->{result['intent']}: {example.text}")
        predicted = {_key(e) for e in result.get("entities", [])}
        gold = set(example.entities)
        gold_entities += len(gold)
        entity_hits += len(gold & predicted)
        predicted_entities += len(predicted)
        true_predicted += len(predicted & gold)
        for missing in gold - predicted:
            errors.append(f"entity missed {missing} got {sorted(predicted, key=str)}: {example.text}")
    return Scores(
        intent_accuracy=intent_hits / len(examples),
        category_macro_f1=macro_f1([e.category for e in examples],
                                   [r.get("category") for r in results]),
        entity_accuracy=entity_hits / gold_entities if gold_entities else 1.0,
        entity_precision=true_predicted / predicted_entities if predicted_entities else 1.0,
        examples=len(examples),
        entities=gold_entities,
        errors=errors,
    )
