# `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON_VERSION := 3.10
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
comma := ,

.PHONY: run test train bench bench-nlu bench-store bench-dialogue bench-corpus bench-push bench-roundtrip venv clean

$(STAMP): pyproject.toml constraints.txt
	@python=""; \
	for candidate in $$(command -v pyenv >/dev/null && ls -d $$(pyenv root)/versions/$(PYTHON_VERSION).*/bin/python 2>/dev/null | sort -V -r) \
	                 $$(command -v python$(PYTHON_VERSION)); do \
	  if "$$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != ($(subst .,$(comma),$(PYTHON_VERSION))))' 2>/dev/null; then \
	    python=$$candidate; break; fi; \
	done; \
	if [ -z "$$python" ]; then \
	  echo "Python $(PYTHON_VERSION) is needed (Rasa 3.6 runs on no other): install it, e.g. 'pyenv install $(PYTHON_VERSION)'." >&2; exit 1; fi; \
	echo "using $$python"; \
	[ -x $(PY) ] || "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check 'pip==24.2' 'setuptools==70.3.0' wheel
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

train: $(STAMP)
	$(PY) -m nlu train

run: train
	$(PY) -m bot run

test: train
	$(PY) -m pytest

bench: bench-nlu bench-store bench-dialogue bench-corpus bench-push bench-roundtrip

bench-nlu: train
	$(PY) bench/nlu.py

bench-store: $(STAMP)
	$(PY) bench/store.py

bench-dialogue: train
	$(PY) bench/dialogue.py --startup

bench-corpus: train
	$(PY) bench/corpus.py

bench-push: $(STAMP)
	$(PY) bench/push.py

bench-roundtrip: train
	$(PY) bench/roundtrip.py

clean:
	rm -rf $(VENV) models .rasa .pytest_cache
