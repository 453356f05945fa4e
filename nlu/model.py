"""Which trained model matches the current sources, and training one when none does.

Rasa's own fingerprint does not see our helper modules or the contents of the
district file that the tokenizer's dictionary is built from, so the model name
carries a hash of everything that shapes it. Of the district file only the place
names shape the model: staff, grid geometry or office hours change without a retrain.
"""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
SOURCES = ("config.yml", "domain.yml", "data/nlu", "data/rules.yml", "data/jieba", "data/topics.yml", "nlu")
TRAINING_DATA = ("data/nlu", "data/rules.yml")
SUFFIXES = {".yml", ".yaml", ".txt", ".py", ".md"}
ANNOTATION = re.compile(r"\[([^\]]+)\]\([a-z_]+\)")  # [望江花园](address)


def training_examples(root: Path = ROOT) -> list[tuple[str, str]]:
    """(intent, text) of every intent example of the training data, annotations removed."""
    import yaml

    examples = []
    for folder in TRAINING_DATA:
        for path in sorted((root / folder).glob("*.yml")) if (root / folder).is_dir() else []:
            for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
                if "intent" in block:
                    examples += [(block["intent"], ANNOTATION.sub(r"\1", line.strip()[2:]))
                                 for line in block.get("examples", "").splitlines() if line.strip()]
    return examples


def source_files(root: Path = ROOT) -> list[Path]:
    files = []
    for name in SOURCES:
        path = root / name
        candidates = [path] if path.is_file() else path.rglob("*")
        files += [p for p in candidates if p.is_file() and p.suffix in SUFFIXES
                  and "__pycache__" not in p.parts]
    return sorted(files)


def fingerprint(root: Path = ROOT) -> str:
    import rasa

    digest = hashlib.sha256(f"rasa {rasa.__version__}\n".encode())
    for path in source_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    from nlu.gazetteer import place_names

    places = place_names(root / "data" / "district.yml")
    names = "\n".join(f"{n.kind} {n.surface} {n.canonical}" for n in places)
    digest.update(b"place names\0" + names.encode() + b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return root / "models" / f"qxy-{fingerprint(root)}.tar.gz"


def ensure_model(force: bool = False, root: Path = ROOT) -> Path:
    """Path of the model for the current sources, trained first if missing."""
    path = model_path(root)
    if path.exists() and not force:
        print(f"model up to date: {path.relative_to(root)}", file=sys.stderr)
        return path
    print(f"training {path.name} ...", file=sys.stderr)
    train(root / "config.yml", path)
    return path


def train(config: Path, out: Path, root: Path = ROOT) -> None:
    """Train with rasa's CLI in a child process (TensorFlow keeps memory it took)."""
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--config", str(config),
         "--domain", str(root / "domain.yml"),
         "--data", *[str(root / d) for d in TRAINING_DATA],
         "--out", str(out.parent), "--fixed-model-name", out.name.removesuffix(".tar.gz"),
         "--quiet"],
        check=True, cwd=root,
    )
