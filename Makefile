# cnn-keras: `make run` executes the notebook suite, `make test` runs every check.
# Both set up the virtual environment first (Python 3.10+ as $(PYTHON)).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= cpu
# pytest workers (pytest-xdist): one per core.
WORKERS ?= auto
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup run test lint test-package test-jax test-notebooks refresh-notebooks figures graphviz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed graphviz

# graphviz's `dot` for keras.utils.plot_model (make figures): apt-get installs it where it is
# missing and apt-get is there (with sudo unless root); elsewhere install graphviz yourself.
graphviz:
	@if ! command -v dot >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq graphviz \
	    || echo "warning: could not install graphviz; make figures needs its dot"; \
	fi

# Execute every notebook headless on $(PROFILE) (default cpu: offline digits, minutes);
# executed notebooks go to build/notebooks, figures to build/figures.
run: setup
	mkdir -p build/notebooks build/figures
	CNN_KERAS_PROFILE=$(PROFILE) CNN_KERAS_FIGURE_DIR=$(CURDIR)/build/figures \
	  $(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1800 \
	  --output-dir build/notebooks notebooks/*.ipynb

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The package on TensorFlow, then the model tests again on JAX.
test-package: setup
	KERAS_BACKEND=tensorflow $(BIN)/python -m pytest -n $(WORKERS) --durations=15 tests

test-jax: setup
	KERAS_BACKEND=jax $(BIN)/python -m pytest -n $(WORKERS) --durations=15 -m models tests

# Every notebook under nbval on the smoke profile.
test-notebooks: setup
	CNN_KERAS_PROFILE=smoke CNN_KERAS_FIGURE_DIR=$(CURDIR)/build/figures \
	  $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --nbval-lax --nbval-current-env notebooks

test: lint test-package test-jax test-notebooks

# After editing a notebook: re-execute on smoke, keep only the outputs nbval checks.
refresh-notebooks: setup
	$(BIN)/python tools/refresh_notebooks.py notebooks/*.ipynb

# Figures made by code, committed: model diagrams (figures/diagrams) and the comparison table
# and charts of every ImageNet model (figures/compare, read by notebook 09).
figures: setup
	$(BIN)/python tools/draw_diagrams.py figures/diagrams
	$(BIN)/cnn-keras compare --output figures/compare

clean:
	rm -rf build .pytest_cache
