"""Open in Colab behind one setting, the repository's address: the site's launch buttons and
the notebooks' badge and install cell appear with it, and nothing without it."""

from __future__ import annotations

import runpy
import shutil

import build_site
import colab
import nbformat
import pytest

from conftest import ROOT

URL = "https://github.com/teacher/cnn-keras"


def _conf(monkeypatch, url: str) -> dict:
    monkeypatch.setenv("CNN_KERAS_REPOSITORY_URL", url)
    return runpy.run_path(str(ROOT / "docs" / "site" / "conf.py"))["html_theme_options"]


def test_the_site_gets_launch_buttons_only_with_an_address(monkeypatch):
    plain = _conf(monkeypatch, "")
    assert "launch_buttons" not in plain and "repository_url" not in plain
    options = _conf(monkeypatch, URL + ".git")
    assert options["repository_url"] == URL
    assert options["launch_buttons"] == {"colab_url": "https://colab.research.google.com"}
    # The theme appends the page name: notebooks/05_resnet.ipynb, its path in the repository.
    assert options["path_to_docs"] == ""


@pytest.mark.parametrize(
    "url", ["github.com/a/b", "https://gitlab.com/a/b", "https://github.com/a", "ftp://x"]
)
def test_an_address_colab_cannot_open_is_refused(monkeypatch, url):
    with pytest.raises(ValueError, match="GitHub repository"):
        _conf(monkeypatch, url)


def test_the_notebooks_get_a_badge_and_an_install_cell_and_lose_them(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    path = folder / "05_resnet.ipynb"
    shutil.copy(ROOT / "notebooks" / "05_resnet.ipynb", path)
    before = path.read_bytes()
    original = nbformat.read(path, as_version=4).cells

    assert colab.write_colab_cells(path, URL, "main", tmp_path)
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0] == original[0] and cells[3:] == original[1:]  # after the title
    link = "https://colab.research.google.com/github/teacher/cnn-keras/blob/main/notebooks/05_resnet.ipynb"
    assert f"]({link})" in cells[1].source
    assert f'%pip install --quiet "cnn-keras @ git+{URL}@main"' in cells[2].source
    assert not colab.write_colab_cells(path, URL, "main", tmp_path)  # twice: no change

    assert colab.write_colab_cells(path, "", "main", tmp_path)  # no address: gone again
    assert nbformat.read(path, as_version=4).cells == original
    assert path.read_bytes() == before


def test_the_site_leaves_the_colab_cells_out(tmp_path):
    path = tmp_path / "notebooks" / "01_alexnet.ipynb"
    path.parent.mkdir()
    shutil.copy(ROOT / "notebooks" / "01_alexnet.ipynb", path)
    colab.write_colab_cells(path, URL, "main", tmp_path)
    shown = nbformat.reads(build_site.site_notebook(path), as_version=4)
    assert not any(colab.is_colab_cell(cell) for cell in shown.cells)


def test_bad_arguments_say_what_works():
    with pytest.raises(ValueError, match="empty"):
        colab.colab_cells("", "main", "notebooks/a.ipynb")
    with pytest.raises(ValueError, match="branch"):
        colab.colab_cells(URL, "main; rm", "notebooks/a.ipynb")
    with pytest.raises(ValueError, match="relative .ipynb"):
        colab.colab_cells(URL, "main", "/abs/a.ipynb")
