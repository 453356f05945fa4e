"""The labelled real-letter set (`letters.tsv`, see LETTERS.md): ids of corpus letters and
the category a street office would file each under. The texts stay in ../shared/corpus;
this module joins the two, and says when a parse result counts as right.

    from letters import load            # tests/nlu on sys.path, or load this file by path
    ids, texts, labels = load("title")  # or "title+text"
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LETTERS = HERE / "letters.tsv"
CORPUS = HERE.parents[2] / "shared" / "corpus"
FILES = ("messages.jsonl", "messages_with_replies.jsonl")
OUT_OF_SCOPE = "out_of_scope"
MODES = ("title", "title+text")


def read_labels(path: Path = LETTERS) -> list[tuple[str, str]]:
    """(id, category) rows of letters.tsv, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        if header != ["id", "category"]:
            raise ValueError(f"{path.name}: header {header!r}, expected ['id', 'category']")
        return [(row[0], row[1]) for row in reader if row]


def read_corpus(corpus: Path = CORPUS) -> dict[str, dict]:
    """Every corpus letter by id."""
    rows = {}
    for name in FILES:
        for line in (corpus / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
    return rows


def text_of(row: dict, mode: str = "title+text") -> str:
    """What the resident sent, whitespace folded: the title alone, or title and text."""
    if mode == "title":
        return " ".join(row["title"].split())
    if mode == "title+text":
        return " ".join(f"{row['title'].strip()} {row['text']}".split())
    raise ValueError(f"mode {mode!r} not in {MODES}")


def load(mode: str = "title+text", corpus: Path = CORPUS,
         path: Path = LETTERS) -> tuple[list[str], list[str], list[str]]:
    """(ids, texts, labels) of the labelled letters; a label is a report category
    (parking … other) or `out_of_scope`."""
    rows = read_corpus(corpus)
    labelled = read_labels(path)
    ids = [letter_id for letter_id, _ in labelled]
    texts = [text_of(rows[letter_id], mode) for letter_id in ids]
    labels = [label for _, label in labelled]
    return ids, texts, labels


def heard_as(result: dict) -> str:
    """The label a canonical parse result (Understanding.parse / `nlu classify`) amounts
    to: its report category (`other` included: intent `report`, category `other`, from
    the model's `report_other`), `out_of_scope` when the model turned the message away
    (`nlu_fallback` is already mapped to `out_of_scope` by nlu.intents.canonical), and
    otherwise the bare intent name (greet, inform, …), which is never a right answer."""
    if result.get("intent") == "report" and result.get("category"):
        return result["category"]
    if result.get("intent") in (OUT_OF_SCOPE, "nlu_fallback"):
        return OUT_OF_SCOPE
    return str(result.get("intent"))


def is_right(result: dict, label: str) -> bool:
    return heard_as(result) == label


def accuracy(results: list[dict], labels: list[str]) -> float:
    return sum(is_right(r, label) for r, label in zip(results, labels)) / len(labels)
