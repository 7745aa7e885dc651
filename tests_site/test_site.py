"""The course's website: what it holds, its links, and every page in headless Chromium; and
that the checks fail on a site with a missing figure or broken math."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import build_site
import check_site
import pytest

from conftest import ROOT

LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted(p.stem for p in (ROOT / "notebooks" / "solutions").glob("*.ipynb"))
SHOTS = ROOT / "build" / "site-shots"


def test_the_site_holds_home_lessons_solutions_api_and_search(site):
    pages = {p.as_posix() for p in check_site.site_pages(site)}
    assert len(LESSONS) == 13 and len(SOLUTIONS) == 13
    expected = {f"notebooks/{name}.html" for name in LESSONS}
    expected |= {f"notebooks/solutions/{name}.html" for name in SOLUTIONS}
    expected |= {"index.html", "api.html", "solutions.html", "search.html"}
    assert expected <= pages
    home = (site / "index.html").read_text()
    for name in LESSONS:  # the lesson map links every lesson and its solutions
        assert f'href="notebooks/{name}.html"' in home
        assert f'href="notebooks/solutions/{name}_solutions.html"' in home
    assert "make lab" in home and "smoke" in home  # how to run it, the profiles
    api = (site / "api.html").read_text()
    assert 'id="cnn_keras.build_model"' in api and 'id="cnn_keras.analysis.count_macs"' in api


@pytest.mark.parametrize("name", LESSONS)
def test_lessons_show_their_committed_outputs_not_a_new_run(site, name):
    # The site builds on the NumPy backend with no kernel: a lesson executed for the site would
    # print another backend, or fail. Its page shows what the committed notebook holds.
    notebook = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text())
    outputs = [
        "".join(output["text"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell["outputs"]
        if output.get("name") == "stdout"
    ]
    assert outputs, f"{name} has no printed output to look for"
    page = (site / "notebooks" / f"{name}.html").read_text()
    assert html.escape(outputs[0].splitlines()[0], quote=False) in page


def test_no_colab_button_without_a_repository_address(site):
    # REPOSITORY_URL is empty by default: nothing on any page points to Colab.
    for page in check_site.site_pages(site):
        assert "colab.research.google.com" not in (site / page).read_text(), page


def test_every_relative_link_and_anchor_resolves(site):
    assert check_site.check_links(site) == []


def test_every_page_loads_whole_in_chromium(site, driver, base):
    # No response >= 400, no other host, every image decoded, every formula typeset.
    problems = []
    for page in check_site.site_pages(site):
        problems += check_site.check_page(driver, base, page)
    assert problems == []


def test_search_finds_lesson_05_for_residual(driver, base):
    assert "notebooks/05_resnet.html" in check_site.search(driver, base, "residual")


def test_screenshots_for_a_person_to_look_at(driver, base):
    from PIL import Image

    for name, (page, scroll_to) in check_site.SHOTS.items():
        path = check_site.screenshot(driver, base, page, SHOTS / name, scroll_to)
        with Image.open(path) as image:
            assert image.width >= 1000 and len(set(image.convert("L").getdata())) > 16, name


def _break_first_formula(notebook: Path) -> str:
    """Open a ``\\left(`` in the notebook's first inline formula and never close it."""
    content = json.loads(notebook.read_text())
    for cell in content["cells"]:
        text = "".join(cell["source"])
        match = re.search(r"\$([^$\n]+)\$", text) if cell["cell_type"] == "markdown" else None
        if match:
            cell["source"] = text[: match.start()] + f"$\\left( {match[1]}$" + text[match.end() :]
            notebook.write_text(json.dumps(content))
            return match[1]
    raise AssertionError(f"{notebook} has no inline formula to break")


def test_a_missing_figure_or_broken_math_fails_the_build_and_the_browser(tmp_path, driver, capfd):
    source, out = tmp_path / "src", tmp_path / "site"
    build_site.stage(ROOT, source)
    figure = source / "figures" / "concepts" / "inception_naive.png"  # lesson 04's figure
    figure.unlink()
    _break_first_formula(source / "notebooks" / "05_resnet.ipynb")

    assert build_site.sphinx(source, out, tmp_path / "doctrees") != 0
    assert "inception_naive.png" in capfd.readouterr().err  # named by the failed build

    # --keep-going wrote the pages anyway: the browser finds both, on their own pages.
    pages = ["notebooks/03_vgg.html", "notebooks/04_googlenet.html", "notebooks/05_resnet.html"]
    with check_site.serve(out) as base:
        problems = {page: check_site.check_page(driver, base, page) for page in pages}
    assert problems["notebooks/03_vgg.html"] == []
    assert any("inception_naive.png" in p and "HTTP 404" in p for p in problems[pages[1]])
    assert any("naturalWidth 0" in p for p in problems[pages[1]])
    assert any("MathJax error" in p for p in problems[pages[2]]), problems[pages[2]]


def test_the_checks_catch_a_removed_image_other_hosts_and_dead_links(tmp_path, driver):
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "docs" / "site" / "favicon.svg", site / "figure.svg")
    (site / "index.html").write_text(
        '<html><head><link rel="icon" href="figure.svg"></head><body id="top">'
        '<img src="figure.svg"><img src="gone.png"><img src="https://example.org/x.png">'
        '<a href="#top">up</a><a href="index.html#nowhere">x</a><a href="missing.html">y</a>'
        '<a href="https://example.org/">a page elsewhere is fine</a></body></html>'
    )
    assert sorted(check_site.check_links(site)) == [
        "index.html: <a href='index.html#nowhere'>: no anchor #nowhere there",
        "index.html: <a href='missing.html'>: no such file",
        "index.html: <img src='gone.png'>: no such file",
        "index.html: <img src='https://example.org/x.png'> loads from another host",
    ]
    with check_site.serve(site) as base:
        problems = check_site.check_page(driver, base, "index.html")
    assert any("request to another host: https://example.org/x.png" in p for p in problems)
    assert any(p.endswith(f"HTTP 404 for {base}gone.png") for p in problems)
    assert sum("naturalWidth 0" in p for p in problems) == 2
    assert not any("figure.svg" in p for p in problems)


def test_bad_input_is_refused_clearly(tmp_path):
    with pytest.raises(ValueError, match="index.html"):
        check_site.check_links(tmp_path)
    with pytest.raises(ValueError, match="docs/site/index.md"):
        build_site.stage(tmp_path, tmp_path / "out")
    with pytest.raises(ValueError, match="own"):
        build_site.stage(ROOT, ROOT)
    with pytest.raises(ValueError, match="table of notebooks"):
        build_site.lesson_map("no table here", ROOT / "notebooks")
