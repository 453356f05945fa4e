# `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON_VERSION := 3.10
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
comma := ,

.PHONY: run test train bench bench-nlu bench-pinyin bench-store bench-dialogue bench-corpus bench-push bench-roundtrip venv clean

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
	@$(MAKE) --no-print-directory fonts
	touch $(STAMP)

venv: $(STAMP)

# A CJK font for the Chinese of the charts (bot/charts.py): when fontconfig knows none,
# apt-get installs one if we are root or sudo needs no password (apt-get update only when
# the package list lacks it); else a warning. Never fails the set-up. Then matplotlib's
# cached font list is rebuilt if it was made before the font was there.
CJK_FONT_PACKAGE := fonts-wqy-microhei
.PHONY: fonts
fonts:
	@if command -v fc-list >/dev/null 2>&1 && [ -n "$$(fc-list :lang=zh family)" ]; then :; \
	elif command -v dpkg >/dev/null 2>&1 && dpkg -s $(CJK_FONT_PACKAGE) >/dev/null 2>&1; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "warning: no CJK font found and no apt-get: charts will show Chinese as boxes; install a CJK font (WenQuanYi Micro Hei or Noto Sans CJK SC)" >&2; \
	else \
	  if [ "$$(id -u)" = 0 ]; then as=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as="sudo -n"; else as=none; fi; \
	  if [ "$$as" = none ]; then \
	    echo "warning: no CJK font found: charts will show Chinese as boxes; run 'sudo apt-get install $(CJK_FONT_PACKAGE)'" >&2; \
	  else \
	    log=$$(mktemp); \
	    get_font() { $$as env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(CJK_FONT_PACKAGE) >>"$$log" 2>&1; }; \
	    if get_font || { grep -q -e 'Unable to locate package' -e 'no installation candidate' -e 'Failed to fetch' "$$log" \
	                     && $$as apt-get update -q >>"$$log" 2>&1 && get_font; }; then \
	      echo "installed $(CJK_FONT_PACKAGE): a CJK font for the charts"; \
	    else \
	      echo "warning: could not install $(CJK_FONT_PACKAGE): charts will show Chinese as boxes; apt-get said:" >&2; tail -n 5 "$$log" >&2; \
	    fi; \
	    rm -f "$$log"; \
	  fi; \
	fi
	@if [ -x $(PY) ]; then $(PY) -m bot.charts fonts || true; fi

train: $(STAMP)
	$(PY) -m nlu train

run: train
	$(PY) -m bot run

test: train
	$(PY) -m pytest

bench: bench-nlu bench-pinyin bench-store bench-dialogue bench-corpus bench-push bench-roundtrip

bench-nlu: train
	$(PY) bench/nlu.py

bench-pinyin: $(STAMP)
	$(PY) bench/pinyin.py

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
