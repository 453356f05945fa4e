"""How much of the intent ranking comes from the linear model (config.yml,
LinearIntentClassifier ``weight``): chosen on the training data alone, never on the
blind set. The training examples are split 80/20 (stratified, seed 7); the pipeline
of config.yml is trained on the 80 and the 20 are classified with each weight.

    python bench/nlu_weight.py
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.evaluate import DEV_NOW, Example, score  # noqa: E402
from nlu.intents import canonical  # noqa: E402

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def split(work: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "data" / "nlu"))
    train, held_out = data.train_test_split(train_frac=0.8, random_seed=7)
    (work / "data").mkdir()
    (work / "data" / "nlu.yml").write_text(train.nlu_as_yaml(), encoding="utf-8")
    return [Example(m.get("text"), *_gold(m.get("intent")), tuple()) for m in held_out.intent_examples]


def _gold(model_intent: str) -> tuple[str, str | None]:
    result = canonical({"intent": {"name": model_intent, "confidence": 1.0}, "intent_ranking": []})
    return result["intent"], result["category"]


def linear_component(understanding):
    from nlu.components import LinearIntentClassifier

    nodes = understanding._agent.processor.graph_runner._instantiated_nodes.values()
    return next(node._component for node in nodes if isinstance(node._component, LinearIntentClassifier))


def main() -> int:
    from nlu.understand import Understanding

    with tempfile.TemporaryDirectory(prefix="nlu-weight-") as folder:
        work = Path(folder)
        held_out = split(work)
        subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config", str(ROOT / "config.yml"),
                        "--nlu", str(work / "data"), "--out", str(work), "--fixed-model-name", "split",
                        "--quiet"], check=True, cwd=ROOT)
        understanding = Understanding(work / "split.tar.gz")
        linear = linear_component(understanding)
        print(f"held out: {len(held_out)} of the training examples")
        print(f"{'weight':>6} {'intent':>7} {'catF1':>7}")
        for weight in WEIGHTS:
            linear.config["weight"] = weight
            scores = score(held_out, lambda text: understanding.parse(text, DEV_NOW))
            print(f"{weight:6.2f} {scores.intent_accuracy:7.3f} {scores.category_macro_f1:7.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
