"""tests/test_stories.yml through Rasa's story test, on the one agent the session loads:
every predicted action must be the story's."""
import asyncio
from pathlib import Path

from nlu.model import ROOT


def failed_stories(stories: Path, agent, out: Path) -> str:
    """The failed stories Rasa wrote down, or "" when every story was predicted."""
    from rasa.core.test import test

    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(test(str(stories), agent, out_directory=str(out), disable_plotting=True,
                     warnings=False))
    failed = (out / "failed_test_stories.yml").read_text(encoding="utf-8")
    return failed if "- story:" in failed else ""


def test_every_test_story_is_predicted(rasa_agent, tmp_path):
    assert failed_stories(ROOT / "tests" / "test_stories.yml", rasa_agent, tmp_path) == ""


def test_a_story_the_bot_would_not_follow_fails(rasa_agent, tmp_path):
    wrong = tmp_path / "wrong.yml"
    wrong.write_text('version: "3.1"\nstories:\n  - story: points answered with cases\n    steps:\n'
                     '      - intent: check_points\n      - action: action_my_cases\n', encoding="utf-8")
    assert "points answered with cases" in failed_stories(wrong, rasa_agent, tmp_path / "out")
