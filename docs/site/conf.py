"""Sphinx configuration of the course's website (``make site``; see README, "The course as a
website").

``tools/build_site.py`` copies the sources into ``build/site-src`` (these pages, the notebooks
and the figures, in the repository's own layout so that every relative link keeps working) and
runs Sphinx there with this file. The notebooks are read with their committed outputs and never
executed; MathJax is served from the site itself, so a page needs no other host.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# autodoc imports the package from this checkout; tools/ holds the Colab setting's parser.
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]
# The API page only imports the package: Keras's NumPy backend imports no TensorFlow or JAX.
os.environ["KERAS_BACKEND"] = "numpy"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from colab import COLAB_URL, parse_repository_url  # noqa: E402

project = "cnn-keras"
author = "the cnn-keras authors"
copyright = "the cnn-keras authors, Apache-2.0"
html_title = "cnn-keras"

extensions = [
    "myst_nb",  # notebooks and Markdown (myst-parser comes with it)
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # the package's Google-style docstrings
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static, no CDN
]

# The committed notebooks are the executed ones: show their outputs, run nothing.
nb_execution_mode = "off"
nb_execution_raise_on_error = True
# No widget outputs in the course: load no widget JavaScript (it would come from a CDN).
nb_ipywidgets_js = {}
nb_merge_streams = True

myst_enable_extensions = ["dollarmath", "amsmath"]
# Section anchors for links such as 05_resnet.ipynb#the-degradation-problem.
myst_heading_anchors = 3

root_doc = "index"
# README.md and _include/ are read by {include} directives, not pages of their own.
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md", "_include"]
# Warnings are errors (make site runs with -W --keep-going): a broken link or a missing image
# fails the build. One style warning is let through: a lesson that goes from its title straight
# to a "###" heading (04 and 05 do) reads fine and breaks nothing.
suppress_warnings = ["myst.header"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "sphinx_book_theme"
html_favicon = "favicon.svg"
html_show_sourcelink = False
html_last_updated_fmt = None
html_copy_source = True

# The one setting for Colab: the repository's public address (GitHub), from make's
# REPOSITORY_URL. Empty (the default) shows no launch or repository button at all.
REPOSITORY_URL = parse_repository_url(os.environ.get("CNN_KERAS_REPOSITORY_URL", ""))
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
}
if REPOSITORY_URL:
    html_theme_options |= {
        "repository_url": REPOSITORY_URL,
        "repository_branch": os.environ.get("CNN_KERAS_REPOSITORY_BRANCH", "main"),
        # Page names are the notebooks' paths in the repository (notebooks/05_resnet).
        "path_to_docs": "",
        "use_repository_button": True,
        "launch_buttons": {"colab_url": COLAB_URL},
    }
