"""tests/test_stories.yml through `rasa test`, failing on any prediction error."""
import subprocess
import sys
from pathlib import Path

from nlu.model import ROOT


def rasa_test(stories: Path, model_path: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--stories", str(stories),
         "--model", str(model_path), "--fail-on-prediction-errors", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True,
    )


def test_every_test_story_is_predicted(model_path, tmp_path):
    done = rasa_test(ROOT / "tests" / "test_stories.yml", model_path, tmp_path)
    failed = (tmp_path / "failed_test_stories.yml")
    report = failed.read_text(encoding="utf-8") if failed.exists() else done.stderr[-3000:]
    assert done.returncode == 0, report


def test_a_story_the_bot_would_not_follow_fails(model_path, tmp_path):
    wrong = tmp_path / "wrong.yml"
    wrong.write_text('version: "3.1"\nstories:\n  - story: points answered with cases\n    steps:\n'
                     '      - intent: check_points\n      - action: action_my_cases\n', encoding="utf-8")
    assert rasa_test(wrong, model_path, tmp_path / "out").returncode != 0
