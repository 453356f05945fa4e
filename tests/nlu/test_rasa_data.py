"""Rasa's own validation of the domain and training data."""
import subprocess
import sys

from nlu.model import ROOT, TRAINING_DATA


def test_rasa_data_validate_passes():
    done = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--domain", "domain.yml",
         "--config", "config.yml", "--data", *TRAINING_DATA],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
