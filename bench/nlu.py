"""NLU benchmark: this project's pipeline against Rasa's Chinese recipe and a TF-IDF baseline.

    python bench/nlu.py            # all three, prints the tables
    python bench/nlu.py --only project --only tfidf
    python bench/nlu.py --cv       # and a 5-fold cross-validation of (a): 5 more trainings

For each pipeline, on the same training data: on the dev set, on the blind set
(tests/nlu/blind.tsv, written by someone who never saw the training data) and on the
labelled real letters (tests/nlu/letters.tsv), intent accuracy, category macro-F1,
entity value accuracy, the blind reports turned away and out-of-scope recall, the
letters filed right (title alone, title and text); p50/p95/p99 latency per message for chat lines (the
dev set) and for corpus letters; messages per second; training time; model size; peak
memory of the process that classifies. Each pipeline is measured in a child process,
so peak memory is its own.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.evaluate import DEV_NOW, load_dev_set, score  # noqa: E402
from nlu.intents import answered_out_of_scope  # noqa: E402
from nlu.model import train, training_examples as model_examples  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "messages.jsonl"
BLIND_SET = ROOT / "tests" / "nlu" / "blind.tsv"
# The tuning sets (tests/nlu/TUNE.md): thresholds and training data were chosen on them.
TUNE_SET = ROOT / "tests" / "nlu" / "tune.tsv"
# The later chat tuning sets, by number: intents and categories only.
MORE_TUNE = {n: ROOT / "tests" / "nlu" / f"tune{n}.tsv" for n in (2, 3, 4)}
LETTERS_TUNE = ROOT / "tests" / "nlu" / "letters_tune.tsv"
LETTERS_TUNE2 = ROOT / "tests" / "nlu" / "letters_tune2.tsv"
LETTERS = 200

RASA_RECIPE = """\
# Rasa's documented pipeline for Chinese, unchanged apart from the fallback threshold.
recipe: default.v1
language: zh
pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
  - name: FallbackClassifier
    threshold: 0.3
policies:
  - name: RulePolicy
"""


def letters() -> list[str]:
    if not CORPUS.exists():
        return []
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    step = max(1, len(rows) // LETTERS)
    return [f"{r['title']} {' '.join(r['text'].split())}" for r in rows[::step][:LETTERS]]


# --- training -------------------------------------------------------------------


def train_rasa(config_text: str | None, out_dir: Path, name: str) -> Path:
    config = ROOT / "config.yml"
    if config_text is not None:
        config = out_dir / f"{name}.yml"
        config.write_text(config_text, encoding="utf-8")
    out = out_dir / f"{name}.tar.gz"
    train(config, out)
    return out


def _tfidf_model():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(max_iter=3000, C=10.0),
    )


def train_tfidf(out_dir: Path) -> Path:
    texts, labels = training_examples()
    model = _tfidf_model()
    model.fit(texts, labels)
    out = out_dir / "tfidf.pkl"
    out.write_bytes(pickle.dumps(model))
    return out


def training_examples() -> tuple[list[str], list[str]]:
    examples = model_examples()
    return [text for _, text in examples], [intent for intent, _ in examples]


# --- measuring (in a child process) -------------------------------------------------


def parser_for(kind: str, artifact: Path):
    if kind == "tfidf":
        from nlu.intents import canonical
        from nlu.normalise import normalise

        model = pickle.loads(artifact.read_bytes())

        def parse(text: str) -> dict:
            probabilities = model.predict_proba([normalise(text)])[0]
            ranking = sorted(zip(model.classes_, probabilities), key=lambda p: -p[1])
            result = canonical({
                "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
                "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            })
            return {"text": text, **result, "entities": []}

        return parse
    from nlu.understand import Understanding

    understanding = Understanding(artifact)
    return lambda text: understanding.parse(text, DEV_NOW)


def percentiles(samples: list[float]) -> dict:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def timed(parse, texts: list[str]) -> list[float]:
    times = []
    for text in texts:
        start = time.perf_counter()
        parse(text)
        times.append((time.perf_counter() - start) * 1000)
    return times


def labelled_letters(mode: str, path: Path | None = None):
    """(texts, labels) of tests/nlu/letters.tsv (or ``path``), or None without the corpus."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("letters", ROOT / "tests" / "nlu" / "letters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not module.CORPUS.is_dir():
        return None
    _, texts, labels = module.load(mode, path=path or module.LETTERS)
    return module, texts, labels


def letters_right(parse, mode: str, path: Path | None = None) -> float | None:
    loaded = labelled_letters(mode, path)
    if loaded is None:
        return None
    module, texts, labels = loaded
    return sum(module.is_right(parse(text), label) for text, label in zip(texts, labels)) / len(texts)


def letters_in_scope_turned_away(parse) -> float | None:
    """Of the letters a street office handles (title and text), the share the dialogue
    answers "帮不上忙" (neither filed nor offered as a report)."""
    loaded = labelled_letters("title+text")
    if loaded is None:
        return None
    module, texts, labels = loaded
    in_scope = [text for text, label in zip(texts, labels) if label != module.OUT_OF_SCOPE]
    return sum(answered_out_of_scope(parse(text)) for text in in_scope) / len(in_scope)


def report_turned_away(examples, parse) -> float:
    """Of the blind set's reports, the share the dialogue answers "帮不上忙"."""
    reports = [e.text for e in examples if e.intent == "report"]
    return sum(answered_out_of_scope(parse(text)) for text in reports) / len(reports)


def out_of_scope_recall(examples, parse) -> float:
    """Of the blind set's out-of-scope messages, the share the dialogue answers "帮不上忙"
    (not offered a report)."""
    gold = [e.text for e in examples if e.intent == "out_of_scope"]
    return sum(answered_out_of_scope(parse(text)) for text in gold) / len(gold)


def model_out_of_scope(examples, parse, intent: str) -> float:
    """Of the blind set's messages of ``intent``, the share the model itself put out of scope."""
    gold = [e.text for e in examples if e.intent == intent]
    return sum(parse(text)["intent"] == "out_of_scope" for text in gold) / len(gold)


def tuning_figures(parse) -> dict:
    tune = load_dev_set(TUNE_SET)
    scores = score(tune, parse)
    more = {n: score(load_dev_set(path), parse) for n, path in MORE_TUNE.items()}
    return {"tune_intent": scores.intent_accuracy, "tune_category_f1": scores.category_macro_f1,
            **{f"tune{n}_intent": m.intent_accuracy for n, m in more.items()},
            **{f"tune{n}_category_f1": m.category_macro_f1 for n, m in more.items()},
            "tune_turned_away": report_turned_away(tune, parse),
            "tune_oos_recall": out_of_scope_recall(tune, parse),
            "tune_letters_title": letters_right(parse, "title", LETTERS_TUNE),
            "tune_letters_text": letters_right(parse, "title+text", LETTERS_TUNE),
            "tune_letters2_title": letters_right(parse, "title", LETTERS_TUNE2),
            "tune_letters2_text": letters_right(parse, "title+text", LETTERS_TUNE2)}


def measure(kind: str, artifact: Path) -> dict:
    parse = parser_for(kind, artifact)
    examples = load_dev_set()
    chat = [e.text for e in examples]
    timed(parse, chat[:20])  # warm up
    scores = score(examples, parse)
    chat_ms = timed(parse, chat)
    letter_ms = timed(parse, letters())
    blind = load_dev_set(BLIND_SET)
    blind_scores = score(blind, parse)
    return {
        "blind_intent": blind_scores.intent_accuracy,
        "blind_category_f1": blind_scores.category_macro_f1,
        "blind_entity": blind_scores.entity_accuracy if kind != "tfidf" else None,
        "blind_turned_away": report_turned_away(blind, parse),
        "blind_oos_recall": out_of_scope_recall(blind, parse),
        "blind_model_turned_away": model_out_of_scope(blind, parse, "report"),
        "blind_model_oos_recall": model_out_of_scope(blind, parse, "out_of_scope"),
        "letters_title": letters_right(parse, "title"),
        "letters_text": letters_right(parse, "title+text"),
        "letters_in_scope_turned_away": letters_in_scope_turned_away(parse),
        **tuning_figures(parse),
        "intent_accuracy": scores.intent_accuracy,
        "category_macro_f1": scores.category_macro_f1,
        "entity_accuracy": scores.entity_accuracy if kind != "tfidf" else None,
        "chat_ms": percentiles(chat_ms),
        "letter_ms": percentiles(letter_ms) if letter_ms else None,
        "messages_per_second": len(chat_ms) / (sum(chat_ms) / 1000),
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --- cross-validation on the training data (5 folds) ---------------------------------

FOLDS = 5


def _canonical_scores(gold: list[str], predicted: list[dict]) -> tuple[float, float]:
    from nlu.evaluate import macro_f1
    from nlu.intents import canonical

    truth = [canonical({"intent": {"name": g, "confidence": 1.0}}) for g in gold]
    intent = sum(t["intent"] == p["intent"] for t, p in zip(truth, predicted)) / len(gold)
    return intent, macro_f1([t["category"] for t in truth], [p.get("category") for p in predicted])


def _folds(labels: list[str]):
    from sklearn.model_selection import StratifiedKFold

    return StratifiedKFold(FOLDS, shuffle=True, random_state=7).split(labels, labels)


def cross_validate_tfidf() -> tuple[float, float]:
    from nlu.intents import canonical
    from nlu.normalise import normalise

    texts, labels = training_examples()
    predicted: list[dict] = [{}] * len(texts)
    for train_index, test_index in _folds(labels):
        # As train_tfidf: fitted on the examples as written, asked with normalised text.
        model = _tfidf_model().fit([texts[i] for i in train_index], [labels[i] for i in train_index])
        for i, name in zip(test_index, model.predict([normalise(texts[i]) for i in test_index])):
            predicted[i] = canonical({"intent": {"name": name, "confidence": 1.0}})
    return _canonical_scores(labels, predicted)


def cross_validate_project(work: Path) -> tuple[float, float]:
    """Five trainings of config.yml (a few minutes each): run with --cv."""
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu.understand import Understanding

    data = load_data(str(ROOT / "data" / "nlu"))
    examples = data.intent_examples
    labels = [m.get("intent") for m in examples]
    predicted: list[dict] = [{}] * len(examples)
    for fold, (train_index, test_index) in enumerate(_folds(labels)):
        folder = work / f"fold{fold}"
        folder.mkdir()
        train = TrainingData([examples[i] for i in train_index], regex_features=data.regex_features,
                             lookup_tables=data.lookup_tables, entity_synonyms=data.entity_synonyms)
        (folder / "nlu.yml").write_text(train.nlu_as_yaml(), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config", str(ROOT / "config.yml"),
                        "--nlu", str(folder), "--out", str(folder), "--fixed-model-name", "fold",
                        "--quiet"], check=True, cwd=ROOT, capture_output=True)
        understanding = Understanding(folder / "fold.tar.gz")
        for i in test_index:
            predicted[i] = understanding.parse(examples[i].get("text"), DEV_NOW)
        print(f"fold {fold + 1}/{FOLDS} done", file=sys.stderr, flush=True)
    return _canonical_scores(labels, predicted)


# --- the run ------------------------------------------------------------------------

PIPELINES = {
    "project": ("(a) this project", lambda d: train_rasa(None, d, "project"), "rasa"),
    "rasa_recipe": ("(b) Rasa zh recipe", lambda d: train_rasa(RASA_RECIPE, d, "recipe"), "rasa"),
    "tfidf": ("(c) TF-IDF + LR", train_tfidf, "tfidf"),
}


def run_one(name: str, work: Path) -> dict:
    label, trainer, kind = PIPELINES[name]
    print(f"training {label} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    artifact = trainer(work)
    training_s = time.perf_counter() - start
    print(f"measuring {label} ...", file=sys.stderr, flush=True)
    child = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(artifact)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures.update(label=label, training_s=training_s,
                   model_mb=artifact.stat().st_size / 2**20)
    return figures


def table(rows: list[dict]) -> str:
    def pct(value):
        return "   n/a" if value is None else f"{value * 100:5.1f}%"

    lines = [
        f"{'pipeline':22} {'intent':>7} {'catF1':>7} {'entity':>7} "
        f"{'chat p50/p95/p99 ms':>22} {'letter p50/p95/p99 ms':>24} {'msg/s':>6} "
        f"{'train s':>8} {'model MB':>9} {'peak MB':>8}"
    ]
    for r in rows:
        chat = "/".join(f"{r['chat_ms'][k]:.1f}" for k in ("p50", "p95", "p99"))
        letter = ("/".join(f"{r['letter_ms'][k]:.1f}" for k in ("p50", "p95", "p99"))
                  if r["letter_ms"] else "n/a")
        lines.append(
            f"{r['label']:22} {pct(r['intent_accuracy']):>7} {pct(r['category_macro_f1']):>7} "
            f"{pct(r['entity_accuracy']):>7} {chat:>22} {letter:>24} "
            f"{r['messages_per_second']:6.0f} {r['training_s']:8.0f} {r['model_mb']:9.1f} "
            f"{r['peak_memory_mb']:8.0f}"
        )
    lines += ["", f"{'pipeline':22} {'blind intent':>12} {'blind catF1':>11} {'blind entity':>12} "
                  f"{'reports turned away':>19} {'oos recall':>10} {'letters title':>13} {'letters text':>12}"
                  f"  (model alone: turned away, oos recall)"]
    for r in rows:
        lines.append(
            f"{r['label']:22} {pct(r['blind_intent']):>12} {pct(r['blind_category_f1']):>11} "
            f"{pct(r['blind_entity']):>12} {pct(r['blind_turned_away']):>19} {pct(r['blind_oos_recall']):>10} "
            f"{pct(r['letters_title']):>13} {pct(r['letters_text']):>12}"
            f"  ({pct(r.get('blind_model_turned_away'))}, {pct(r.get('blind_model_oos_recall'))})")
    lines += ["", "in-scope letters (title+text) answered out of scope: " + ", ".join(
        f"{r['label']} {pct(r.get('letters_in_scope_turned_away')).strip()}" for r in rows)]
    lines += ["", "tuning sets (thresholds and training data were chosen on these: optimistic)",
              f"{'pipeline':22} {'tune intent':>12} {'tune catF1':>11} {'reports turned away':>19} "
              f"{'oos recall':>10} {'letters title':>13} {'letters text':>12} {'tune2 intent':>12} "
              f"{'tune2 catF1':>11}"]
    for r in rows:
        lines.append(
            f"{r['label']:22} {pct(r['tune_intent']):>12} {pct(r['tune_category_f1']):>11} "
            f"{pct(r['tune_turned_away']):>19} {pct(r['tune_oos_recall']):>10} "
            f"{pct(r['tune_letters_title']):>13} {pct(r['tune_letters_text']):>12} "
            f"{pct(r['tune2_intent']):>12} {pct(r['tune2_category_f1']):>11}")
    lines += ["", f"{'pipeline':22} {'tune3 intent':>12} {'tune3 catF1':>11} "
                  f"{'letters2 title':>14} {'letters2 text':>13} {'tune4 intent':>12} {'tune4 catF1':>11}"]
    for r in rows:
        lines.append(
            f"{r['label']:22} {pct(r['tune3_intent']):>12} {pct(r['tune3_category_f1']):>11} "
            f"{pct(r['tune_letters2_title']):>14} {pct(r['tune_letters2_text']):>13} "
            f"{pct(r['tune4_intent']):>12} {pct(r['tune4_category_f1']):>11}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=list(PIPELINES), action="append")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "ARTIFACT"))
    parser.add_argument("--cv", action="store_true",
                        help="also cross-validate (a) on the training data: five more trainings")
    args = parser.parse_args()
    if args.measure:
        import contextlib

        with contextlib.redirect_stdout(sys.stderr):
            figures = measure(args.measure[0], Path(args.measure[1]))
        print(json.dumps(figures))
        return 0
    # Rasa's training cache would restore unchanged components and hide the real cost.
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as work:
        rows = [run_one(name, Path(work)) for name in (args.only or PIPELINES)]
    print(f"NLU benchmark: dev set {len(load_dev_set())} messages, "
          f"{len(letters())} corpus letters, now={DEV_NOW:%Y-%m-%dT%H:%M}")
    print(table(rows))
    intent, category = cross_validate_tfidf()
    print(f"\n5-fold cross-validation on the training data: (c) TF-IDF + LR intent {intent:.1%}, "
          f"category macro-F1 {category:.1%}")
    if args.cv:
        with tempfile.TemporaryDirectory(prefix="bench-nlu-cv-") as work:
            intent, category = cross_validate_project(Path(work))
        print(f"5-fold cross-validation on the training data: (a) this project intent {intent:.1%}, "
              f"category macro-F1 {category:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
