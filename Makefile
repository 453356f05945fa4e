# `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON_VERSION := 3.10
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test train bench bench-nlu venv clean

$(STAMP): pyproject.toml constraints.txt
	@python=$$(command -v python$(PYTHON_VERSION) || true); \
	if [ -z "$$python" ] && command -v pyenv >/dev/null; then \
	  python=$$(pyenv root)/versions/$$(pyenv versions --bare | grep -E '^$(PYTHON_VERSION)\.[0-9]+$$' | tail -1)/bin/python; fi; \
	if [ ! -x "$$python" ]; then \
	  echo "Python $(PYTHON_VERSION) is needed (Rasa 3.6 runs on no other): install it, e.g. 'pyenv install $(PYTHON_VERSION)'." >&2; exit 1; fi; \
	echo "using $$python"; \
	"$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check 'pip==24.2' 'setuptools>=65,<70' wheel
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

train: $(STAMP)
	$(PY) -m nlu train

run: train
	$(PY) -m nlu console

test: train
	$(PY) -m pytest

bench: bench-nlu

bench-nlu: train
	$(PY) bench/nlu.py

clean:
	rm -rf $(VENV) models .rasa .pytest_cache
