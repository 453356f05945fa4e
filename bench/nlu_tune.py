"""Choosing C and the fallback threshold of config.yml on the tuning sets (tests/nlu/tune.tsv
and letters_tune.tsv, see tests/nlu/TUNE.md), never on the blind set or letters.tsv. The
current model is loaded once; for each threshold the linear model's probabilities are
ranked again, so the grid costs no retraining.

    python bench/nlu_tune.py                          # the grid for the trained linear model
    python bench/nlu_tune.py --C 20 --C 50 --C 100    # a linear model refitted with each C
    python bench/nlu_tune.py --C 50 --topic-weight 0.2   # … and another weight of the topic lists
    python bench/nlu_tune.py --cv                     # 5-fold CV of the linear model alone

Columns: tune intent accuracy, category macro-F1, reports the dialogue answers "帮不上忙",
out-of-scope recall of the dialogue; tuning letters filed right on their title and on
title + text, with (in brackets) the in-scope and out-of-scope letters right; then intent
accuracy / category macro-F1 on tune2.tsv, tune3.tsv and tune4.tsv, and letters_tune2.tsv as the
tuning letters.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.evaluate import DEV_NOW, load_dev_set, macro_f1  # noqa: E402
from nlu.components import intent_ranking, with_lead  # noqa: E402
from nlu.gazetteer import mediator_names  # noqa: E402
from nlu.intents import answer_or_more, answered_out_of_scope, canonical  # noqa: E402
from nlu.normalise import normalise  # noqa: E402
from nlu.understand import MODEL_CHARS, quiet_libraries  # noqa: E402

TUNE = ROOT / "tests" / "nlu" / "tune.tsv"
# Judged beside it, without thresholds of their own (tests/nlu/TUNE.md, LETTERS_TUNE.md).
MORE_CHAT = tuple(ROOT / "tests" / "nlu" / f"tune{n}.tsv" for n in (2, 3, 4))
LETTERS_TUNE = ROOT / "tests" / "nlu" / "letters_tune.tsv"
LETTERS_TUNE2 = ROOT / "tests" / "nlu" / "letters_tune2.tsv"
THRESHOLDS = (0.0, 0.1, 0.2, 0.3)
LINEAR, INPUTS = "linear_probabilities", "linear_inputs"


def keep_probabilities() -> None:
    """Make LinearIntentClassifier leave its probabilities and inputs in the parse, so
    that they can be ranked again, or given to a refitted model."""
    import nlu.components as components

    rank = components.LinearIntentClassifier.process

    def process(self, messages):
        if self.model is not None:
            for message, linear in zip(messages, self.probabilities(messages)):
                text = message.get("text") or ""
                lead = components.lead_span(text)
                message.set(LINEAR, linear, add_to_output=True)
                message.set(INPUTS, {"whole": components.span_features(message, 0, len(text)),
                                     "lead": lead and components.span_features(message, *lead),
                                     "lead_weight": float(self.config["lead_weight"])},
                            add_to_output=True)
        return rank(self, messages)

    components.LinearIntentClassifier.process = process


class Grid:
    def __init__(self, model: Path):
        quiet_libraries()
        keep_probabilities()
        from rasa.core.agent import Agent

        self._agent = Agent.load(str(model))
        self._loop = asyncio.new_event_loop()
        self._parses: dict[str, dict] = {}
        self.linear = None  # a refitted linear model, or None for the trained one

    def raw(self, text: str) -> dict:
        from rasa.core.channels.channel import UserMessage

        if text not in self._parses:
            message = UserMessage(normalise(text)[:MODEL_CHARS], metadata={"now": DEV_NOW.isoformat()})
            self._parses[text] = self._loop.run_until_complete(self._agent.processor.parse_message(message))
        return self._parses[text]

    def parse(self, text: str, threshold: float) -> dict:
        """What Understanding.parse would say with this fallback threshold."""
        raw = self.raw(text)
        if INPUTS not in raw:  # "/help": Rasa's intent syntax, no model asked
            return {**canonical(raw), "text": text, "entities": []}
        linear = raw.get(LINEAR) or {}
        if self.linear is not None:
            inputs = raw[INPUTS]
            row = with_lead(self.linear.predict_proba([inputs["whole"]])[0],
                            inputs["lead"] and self.linear.predict_proba([inputs["lead"]])[0],
                            inputs["lead_weight"])
            linear = dict(zip(map(str, self.linear.classes_), map(float, row)))
        ranking = intent_ranking(linear)
        entities = raw.get("entities") or []
        ranking = answer_or_more(normalise(text)[:MODEL_CHARS], entities, ranking,
                                 mediator_names()) or ranking
        top = dict(ranking[0])
        if top["confidence"] < threshold:
            top = {"name": "nlu_fallback", "confidence": threshold}
        result = canonical({"intent": top, "intent_ranking": ranking,
                            "clause_categories": raw.get("clause_categories")})
        return {**result, "text": text, "entities": entities}


def training_messages():
    """The training examples as Rasa reads them, tokenized as the pipeline does."""
    from rasa.shared.nlu.training_data.loading import load_data

    from nlu.components import CleanJiebaTokenizer, load_dictionary

    load_dictionary()
    data = load_data(str(ROOT / "data" / "nlu"))
    tokenizer = CleanJiebaTokenizer(CleanJiebaTokenizer.get_default_config(), None, None)
    tokenizer.process_training_data(data)
    return [m for m in data.intent_examples if m.get("intent")]


def refit_linear(c: float, topic_weight: float):
    from nlu.components import linear_inputs

    examples = training_messages()
    return fresh_linear_model(c, topic_weight).fit(linear_inputs(examples), [m.get("intent") for m in examples])


def fresh_linear_model(c: float, topic_weight: float):
    """An unfitted linear model with this C and topic weight, naive Bayes as config.yml has it."""
    from nlu.components import linear_model

    return linear_model(c, 7, topic_weight, configured("nb_weight"), configured("nb_alpha"))


def cross_validate(c: float, topic_weight: float, lead_weight: float) -> tuple[float, float]:
    """Intent accuracy and category macro-F1 of the linear model alone (as the pipeline
    asks it, a letter's first sentence included), 5-fold on the training data."""
    from sklearn.model_selection import StratifiedKFold

    from nlu.components import LinearIntentClassifier, linear_inputs

    examples = training_messages()
    labels = [m.get("intent") for m in examples]
    inputs = linear_inputs(examples)
    predicted = [""] * len(examples)
    for train, test in StratifiedKFold(5, shuffle=True, random_state=7).split(labels, labels):
        model = fresh_linear_model(c, topic_weight).fit([inputs[n] for n in train], [labels[n] for n in train])
        # Asked as the pipeline asks it: LinearIntentClassifier.probabilities.
        classifier = LinearIntentClassifier({"lead_weight": lead_weight}, None, None, model)
        for n, linear in zip(test, classifier.probabilities([examples[n] for n in test])):
            predicted[n] = max(linear, key=linear.get)
    truth = [canonical({"intent": {"name": name, "confidence": 1.0}}) for name in labels]
    heard = [canonical({"intent": {"name": name, "confidence": 1.0}}) for name in predicted]
    intent = sum(t["intent"] == h["intent"] for t, h in zip(truth, heard)) / len(truth)
    return intent, macro_f1([t["category"] for t in truth], [h["category"] for h in heard])


def configured(key: str):
    """A setting of LinearIntentClassifier in config.yml, or its default."""
    import yaml

    from nlu.components import LinearIntentClassifier

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    entry = next(c for c in pipeline if c["name"].endswith("LinearIntentClassifier"))
    return entry.get(key, LinearIntentClassifier.get_default_config()[key])


def parsed(grid: Grid, path: Path, threshold: float) -> tuple[list, list, float, float]:
    """A chat set's examples, their parses, intent accuracy and category macro-F1."""
    examples = load_dev_set(path)
    results = [grid.parse(e.text, threshold) for e in examples]
    intent = sum(r["intent"] == e.intent for r, e in zip(results, examples)) / len(examples)
    return examples, results, intent, macro_f1([e.category for e in examples], [r["category"] for r in results])


def chat_figures(grid: Grid, threshold: float) -> tuple[float, float, float, float]:
    examples, results, intent, f1 = parsed(grid, TUNE, threshold)
    reports = [r for r, e in zip(results, examples) if e.intent == "report"]
    outside = [r for r, e in zip(results, examples) if e.intent == "out_of_scope"]
    return (intent, f1, sum(map(answered_out_of_scope, reports)) / len(reports),
            sum(map(answered_out_of_scope, outside)) / len(outside))


def more_chat_figures(grid: Grid, threshold: float) -> str:
    """Intent accuracy / category macro-F1 on each of MORE_CHAT."""
    return " ".join("{2:.3f}/{3:.3f}".format(*parsed(grid, path, threshold)) for path in MORE_CHAT)


def letter_figures(grid: Grid, letters, mode: str, threshold: float, path: Path = LETTERS_TUNE) -> str:
    _, texts, labels = letters.load(mode, path=path)
    right = [letters.is_right(grid.parse(t, threshold), label) for t, label in zip(texts, labels)]
    inside = [ok for ok, label in zip(right, labels) if label != letters.OUT_OF_SCOPE]
    outside = [ok for ok, label in zip(right, labels) if label == letters.OUT_OF_SCOPE]
    return (f"{sum(right) / len(right):.3f} ({sum(inside) / len(inside):.2f}/"
            f"{sum(outside) / len(outside):.2f})")


def main() -> int:
    import importlib.util

    from nlu.model import ensure_model

    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, action="append", help="refit the linear model with this C")
    parser.add_argument("--topic-weight", type=float, default=configured("topic_weight"),
                        help="the topic lists' weight when refitting (default: config.yml's)")
    parser.add_argument("--cv", action="store_true",
                        help="cross-validate the linear model alone, with and without the topic "
                             "lists and a letter's first sentence (20 fits, about 15 minutes)")
    args = parser.parse_args()
    if args.cv:
        c, topics, lead = configured("C"), args.topic_weight, configured("lead_weight")
        print(f"5-fold cross-validation of the linear model alone, C={c:g}: intent, category macro-F1")
        for name, tw, lw in (("neither", 0.0, 0.0), (f"topic lists {topics:g}", topics, 0.0),
                             (f"first sentence {lead:g}", 0.0, lead), ("both", topics, lead)):
            intent, f1 = cross_validate(c, tw, lw)
            print(f"{name:>22}: {intent:.4f} {f1:.4f}", flush=True)
        return 0
    spec = importlib.util.spec_from_file_location("letters", ROOT / "tests" / "nlu" / "letters.py")
    letters = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(letters)
    with_letters = letters.CORPUS.is_dir()
    grid = Grid(ensure_model())
    for c in args.C or [None]:
        grid.linear = refit_linear(c, args.topic_weight) if c is not None else None
        print(f"\nlinear model: {'as trained' if c is None else f'refitted, C={c:g}, topic weight {args.topic_weight:g}'}")
        print(f"{'fallback':>8} | {'intent':>6} {'catF1':>6} {'away':>6} {'oos rec':>7}"
              f" | {'letters title (in/out)':>22} | {'title+text (in/out)':>20}"
              f" | tune2, tune3, tune4 intent/catF1 | letters_tune2 title, title+text")
        for threshold in THRESHOLDS:
            intent, f1, away, recall = chat_figures(grid, threshold)
            row = f"{threshold:8.2f} | {intent:6.3f} {f1:6.3f} {away:6.3f} {recall:7.3f}"
            if with_letters:
                row += (f" | {letter_figures(grid, letters, 'title', threshold):>22}"
                        f" | {letter_figures(grid, letters, 'title+text', threshold):>20}")
            row += f" | {more_chat_figures(grid, threshold)}"
            if with_letters:
                row += (f" | {letter_figures(grid, letters, 'title', threshold, LETTERS_TUNE2)}, "
                        f"{letter_figures(grid, letters, 'title+text', threshold, LETTERS_TUNE2)}")
            print(row, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
