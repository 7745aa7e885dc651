# cnn-keras: `make run` executes the notebook suite, `make test` runs every check.
# Both set up the virtual environment first (Python 3.10+ as $(PYTHON)).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= cpu
# pytest workers (pytest-xdist): one per core.
WORKERS ?= auto
# Notebooks executed at once by make run and make notebooks: while one trains, the other builds
# and measures models, which uses one core.
JOBS ?= 2
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: setup lab run test lint test-package test-jax test-notebooks test-notebooks-jax notebooks figures experiments system-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,lab]"
	touch $@

setup: $(VENV)/.installed system-packages

# Debian packages, installed with apt-get where they are missing and apt-get is there (with sudo
# unless root): dataset-fashion-mnist, the offline data set's four files in
# /usr/share/datasets/fashion-mnist (elsewhere cnn_keras.data also finds them in Keras's cache,
# a folder you name, or downloads them), and graphviz's `dot` for keras.utils.plot_model.
FASHION_MNIST_FILE := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
system-packages:
	@MISSING="$$([ -f $(FASHION_MNIST_FILE) ] || echo dataset-fashion-mnist) \
	  $$(command -v dot >/dev/null 2>&1 || echo graphviz)"; \
	if [ -n "$$(echo $$MISSING)" ] && command -v apt-get >/dev/null 2>&1; then \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$MISSING \
	    || echo "warning: could not install $$MISSING with apt-get"; \
	fi

# JupyterLab in the project's environment, opened on the notebooks (the way in for a person).
lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

# Execute every notebook headless on $(PROFILE) (default cpu: offline Fashion-MNIST, under
# 9 minutes on 2 cores: `make notebooks`, the same 26 executions two at a time, took 7.6 on
# 2 December 2026); executed notebooks go to build/notebooks, figures to build/figures.
run: setup
	mkdir -p build/notebooks build/figures
	ls notebooks/*.ipynb notebooks/solutions/*.ipynb | CNN_KERAS_PROFILE=$(PROFILE) \
	  CNN_KERAS_FIGURE_DIR=$(CURDIR)/build/figures xargs -P $(JOBS) -n 1 \
	  $(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1800 \
	  --output-dir build/notebooks

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

# Notebooks 05 and 10 on JAX with TensorFlow blocked, as if it were not installed.
JAX_NOTEBOOKS ?= notebooks/05_resnet.ipynb notebooks/10_training_on_a_gpu.ipynb
test-notebooks-jax: setup
	KERAS_BACKEND=jax PYTHONPATH=$(CURDIR)/tools/no_tensorflow CNN_KERAS_PROFILE=smoke \
	  CNN_KERAS_FIGURE_DIR=$(CURDIR)/build/figures-jax \
	  $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --nbval-lax --nbval-current-env \
	  $(JAX_NOTEBOOKS)

test: lint test-package test-jax test-notebooks test-notebooks-jax test-site

# The course as a website (docs/site): the committed notebooks with their outputs, never
# executed, built offline into build/site (open build/site/index.html; any static host serves
# it). Warnings fail it: a broken link, a missing image. REPOSITORY_URL, the repository's public
# GitHub address, adds Open-in-Colab buttons to the site and, with make colab, a badge and an
# install cell to the notebooks; empty, none appear.
REPOSITORY_URL ?=
.PHONY: site test-site site-browser colab
$(VENV)/.site-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[site]"
	touch $@

site: $(VENV)/.site-installed
	CNN_KERAS_REPOSITORY_URL="$(REPOSITORY_URL)" $(BIN)/python tools/build_site.py

# Debian's chromium and chromium-driver for test-site, installed with apt-get where missing.
site-browser:
	@if ! { command -v chromium && command -v chromedriver; } >/dev/null 2>&1 \
	  && command -v apt-get >/dev/null 2>&1; then \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi

# Every page in headless Chromium (tests_site/), screenshots in build/site-shots.
test-site: site site-browser
	$(BIN)/python -m pytest tests_site

colab: setup
	$(BIN)/python tools/colab.py --url "$(REPOSITORY_URL)" $(NOTEBOOKS)

# The committed notebooks: execute each in place on the cpu profile and keep every output,
# figures included (what a reader sees on a code-hosting site); nbval on smoke then checks the
# cells marked NBVAL_CHECK_OUTPUT against them. NOTEBOOKS=notebooks/05_resnet.ipynb for one.
NOTEBOOKS ?= notebooks/*.ipynb notebooks/solutions/*.ipynb
notebooks: setup
	CNN_KERAS_FIGURE_DIR=$(CURDIR)/build/figures $(BIN)/python tools/refresh_notebooks.py \
	  --jobs $(JOBS) $(NOTEBOOKS)

# Figures made by code, committed: model diagrams (figures/diagrams), the block schematics
# (figures/concepts), and the comparison table and charts of every ImageNet model
# (figures/compare, read by notebook 09).
figures: setup
	$(BIN)/python tools/draw_diagrams.py figures/diagrams
	$(BIN)/python tools/draw_concepts.py figures/concepts
	$(BIN)/cnn-keras compare --output figures/compare

# The lessons' experiments (cnn_keras/experiments): every arm on every seed on the cpu profile,
# the rows written to data/experiments/<name>.csv (committed), the time printed at the end.
# EXPERIMENTS="alexnet_lrn resnet_depth" for a subset; finished runs under runs/experiments are
# read back, not trained again (FRESH=--fresh trains them all again).
EXPERIMENTS ?=
FRESH ?=
experiments: setup
	@start=$$(date +%s); \
	$(BIN)/cnn-keras experiment $(or $(EXPERIMENTS),--all) --profile cpu $(FRESH) || exit 1; \
	echo "make experiments: $$(( $$(date +%s) - start )) s on $$(nproc) cores"

clean:
	rm -rf build .pytest_cache
