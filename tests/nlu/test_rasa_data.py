"""Rasa's own validation of the domain, training data and test stories."""
import subprocess
import sys

from nlu.model import ROOT, TRAINING_DATA


def test_rasa_data_validate_passes_without_warnings():
    # --fail-on-warnings counts the validator's findings about our data; Rasa's own
    # library deprecation warnings go to stderr and do not change the exit code.
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings",
         "--domain", "domain.yml", "--config", "config.yml",
         "--data", *TRAINING_DATA, "tests/test_stories.yml"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
