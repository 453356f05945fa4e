"""Real letters labelled by category (letters.tsv, see LETTERS.md): how often the pipeline
files a letter where a street office would, on its title alone and on title + text.

A letter labelled with a report category is right when the parse is `report` with that
category (`other` included); one labelled `out_of_scope` is right when the parse is
`out_of_scope` (the model's `nlu_fallback` reads the same). The floors sit just under what
the model reaches now; the goal is 0.85.
"""
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from nlu.intents import CATEGORIES

_spec = importlib.util.spec_from_file_location("tests_nlu_letters", Path(__file__).with_name("letters.py"))
letters = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(letters)

LABELS = frozenset(CATEGORIES) | {letters.OUT_OF_SCOPE}
MIN_LETTERS = 300
# bench/nlu.py measures 0.858 on titles and 0.870 on whole letters (LETTERS.md); the goal
# is 0.85 for both. The floors leave a retraining on another machine one to two points.
FLOOR = {"title": 0.83, "title+text": 0.86}

pytestmark = pytest.mark.skipif(
    not letters.CORPUS.is_dir(),
    reason=f"corpus folder {letters.CORPUS} is absent: the letter texts are read from there, never copied")


def test_the_letter_set_is_well_formed():
    rows = letters.read_labels()
    ids = [letter_id for letter_id, _ in rows]
    assert len(rows) >= MIN_LETTERS, f"{len(rows)} letters, expected at least {MIN_LETTERS}"
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"ids listed twice: {duplicates}"
    missing = sorted(set(ids) - set(letters.read_corpus()))
    assert not missing, f"ids not in the corpus: {missing}"
    unknown = sorted({label for _, label in rows} - LABELS)
    assert not unknown, f"unknown categories: {unknown}"


@pytest.fixture(scope="module")
def parsed(understanding, dev_now):
    """For each mode: the labels and the pipeline's result for each letter."""
    out = {}
    for mode in letters.MODES:
        _, texts, labels = letters.load(mode)
        out[mode] = (labels, [understanding.parse(text, dev_now) for text in texts])
    return out


@pytest.fixture(scope="module")
def heard(parsed):
    """For each mode: the labels and what the pipeline made of each letter."""
    return {mode: (labels, [letters.heard_as(result) for result in results])
            for mode, (labels, results) in parsed.items()}


def report(mode: str, labels: list[str], got: list[str]) -> str:
    right = sum(g == label for g, label in zip(got, labels))
    # For information only: the share if a letter a street office does not handle could
    # also land in `other` (street-centre triage) instead of being turned away.
    lenient = sum(g == label or (label == letters.OUT_OF_SCOPE and g == "other")
                  for g, label in zip(got, labels))
    lines = [f"letters, {mode}: {right}/{len(labels)} right = {right / len(labels):.3f}"
             f" (out_of_scope heard as other also right: {lenient / len(labels):.3f})"]
    for label, n in sorted(Counter(labels).items(), key=lambda item: -item[1]):
        ok = sum(g == label for g, lab in zip(got, labels) if lab == label)
        heard_instead = Counter(g for g, lab in zip(got, labels) if lab == label and g != label)
        lines.append(f"  {label:13} {ok:3}/{n:<3} wrong: {dict(heard_instead.most_common(4))}")
    return "\n".join(lines)


@pytest.mark.parametrize("mode", letters.MODES)
def test_letters_are_filed_where_a_street_office_would(heard, mode):
    labels, got = heard[mode]
    share = sum(g == label for g, label in zip(got, labels)) / len(labels)
    summary = report(mode, labels, got)
    print("\n" + summary)
    assert share >= FLOOR[mode], summary


def test_no_letter_about_a_street_office_matter_is_turned_away(parsed):
    """A letter about something a street office handles is filed in some category or, when
    the model hears it as out of scope, still offered as a report ("您是想反映……吗？"):
    the dialogue says "帮不上忙" to at most one in twenty (title and text, as residents send
    them). Three letters in four are no street office's matter, so the model alone may not
    file them all: what counts is what the resident is answered."""
    from nlu.intents import answered_out_of_scope

    labels, results = parsed["title+text"]
    in_scope = [result for result, label in zip(results, labels) if label != letters.OUT_OF_SCOPE]
    filed = sum(letters.heard_as(result) in CATEGORIES for result in in_scope) / len(in_scope)
    turned_away = [result["text"][:40] for result in in_scope if answered_out_of_scope(result)]
    print(f"\nin-scope letters (title+text): {filed:.3f} filed as reports, "
          f"{len(turned_away) / len(in_scope):.3f} answered out of scope")
    assert len(turned_away) / len(in_scope) <= 0.05, turned_away
