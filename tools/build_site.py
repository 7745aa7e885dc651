"""Builds the course's website from the committed, executed notebooks, without running them.

Usage: python tools/build_site.py [--out build/site] [--no-strict]  (``make site``)

Two steps. ``stage`` copies the sources into ``build/site-src`` in the repository's own layout
(``docs/site/*.md`` at the top, ``notebooks/``, ``notebooks/solutions/``, ``figures/``), so the
notebooks' relative links and images resolve as they do in the repository; on the way it
writes the home page's lesson map from README's table of notebooks, folds each solution's
check cells (tag ``check``) behind a toggle and leaves out the cells ``tools/colab.py`` writes
(the site has its own Colab button). A file is rewritten only when its content changed, so a
second build reads only what changed. ``sphinx`` then builds the HTML with
``docs/site/conf.py``, warnings as errors (``-W --keep-going``): a broken link between pages,
a missing image or a docstring Sphinx cannot read fails the build, after reporting them all.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CONF_DIR = ROOT / "docs" / "site"
# Files of the repository the site is made of, as globs relative to the root. README.md is
# read by the pages' {include} directives (its quick start, profiles and usage sections).
SOURCES = (
    "docs/site/*.md",
    "notebooks/[0-9][0-9]_*.ipynb",
    "notebooks/solutions/[0-9][0-9]_*.ipynb",
    "figures/**/*.png",
    "figures/**/*.svg",
    "README.md",
)
GENERATED_MAP = "_include/lesson_map.md"
CHECK_TAG = "check"
COLAB_TAG = "colab"
_MAP_ROW = re.compile(r"\|\s*`(\d\d_[a-z0-9_]+)`\s*\|(.*)\|\s*")


def lesson_map(readme: str, notebooks: Path) -> str:
    """The home page's table of lessons, in MyST: README's "| notebook | idea |" rows, each
    notebook linked under its own title, with its worked solutions beside it.

    Raises:
        ValueError: README has no such table, or it names a notebook that does not exist.
    """
    rows = [_MAP_ROW.fullmatch(line) for line in readme.splitlines()]
    rows = [row for row in rows if row]
    if not rows:
        raise ValueError("README.md has no '| `NN_name` | idea |' table of notebooks to map")
    lines = ["| lesson | what it teaches | for teachers |", "|---|---|---|"]
    for row in rows:
        name, idea = row[1], row[2].strip()
        lesson = notebooks / f"{name}.ipynb"
        solutions = notebooks / "solutions" / f"{name}_solutions.ipynb"
        for path in (lesson, solutions):
            if not path.is_file():
                raise ValueError(f"README.md's table of notebooks names {name}; {path} is missing")
        title = notebook_title(lesson)
        lines.append(
            f"| {{doc}}`{title} </notebooks/{name}>` | {idea} "
            f"| {{doc}}`solutions </notebooks/solutions/{name}_solutions>` |"
        )
    return "\n".join(lines) + "\n"


def notebook_title(path: Path) -> str:
    """The text of the notebook's first ``# `` heading.

    Raises:
        ValueError: the notebook has no top-level heading (the site would have no page title).
    """
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError(f"{path} has no '# ' title in its markdown cells")


def site_notebook(path: Path) -> str:
    """The notebook as the site shows it: check cells folded, Colab cells left out."""
    notebook = nbformat.read(path, as_version=4)
    cells = []
    for cell in notebook.cells:
        tags = list(cell.metadata.get("tags", []))
        if COLAB_TAG in tags:
            continue
        if CHECK_TAG in tags and "hide-cell" not in tags:
            cell.metadata["tags"] = [*tags, "hide-cell"]
        cells.append(cell)
    notebook.cells = cells
    return nbformat.writes(notebook)


def _write_if_changed(path: Path, content: bytes) -> None:
    if path.is_file() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def stage(root: Path, dest: Path) -> list[Path]:
    """Copy the site's sources from the repository at ``root`` into ``dest``; return the files
    staged (relative to ``dest``). Files in ``dest`` that no longer have a source are removed.
    """
    root, dest = root.resolve(), dest.resolve()
    if not (root / "docs" / "site" / "index.md").is_file():
        raise ValueError(f"root must be the repository (with docs/site/index.md); received {root}")
    if dest == root or root.is_relative_to(dest):
        raise ValueError(f"dest must be a folder of its own, not the repository; received {dest}")
    staged: dict[Path, bytes] = {}
    for pattern in SOURCES:
        for source in sorted(root.glob(pattern)):
            relative = source.relative_to(root)
            if relative.parts[:2] == ("docs", "site"):
                relative = relative.relative_to("docs/site")
            if source.suffix == ".ipynb":
                staged[relative] = site_notebook(source).encode()
            else:
                staged[relative] = source.read_bytes()
    readme = (root / "README.md").read_text()
    staged[Path(GENERATED_MAP)] = lesson_map(readme, root / "notebooks").encode()
    for relative, content in staged.items():
        _write_if_changed(dest / relative, content)
    for path in sorted(dest.rglob("*"), reverse=True):
        if path.is_file() and path.relative_to(dest) not in staged:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return sorted(staged)


def sphinx(source: Path, out: Path, doctrees: Path, *, strict: bool = True) -> int:
    """Build the HTML of the staged ``source`` into ``out``; Sphinx's exit status."""
    from sphinx.cmd.build import build_main

    args = ["-b", "html", "-q", "-c", str(CONF_DIR), "-d", str(doctrees)]
    if strict:
        args += ["-W", "--keep-going"]
    return build_main([*args, str(source), str(out)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to build")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument(
        "--no-strict", dest="strict", action="store_false", help="warnings do not fail"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    work = args.out.parent
    try:
        stage(args.root, work / "site-src")
    except ValueError as error:
        parser.error(str(error))
    doctrees = work / "site-doctrees"
    status = sphinx(work / "site-src", args.out, doctrees, strict=args.strict)
    if status != 0:
        # Sphinx reports a page's warnings only when it reads the page: start afresh next time,
        # or a second build would skip the pages that failed this one and pass.
        shutil.rmtree(doctrees, ignore_errors=True)
    seconds = time.perf_counter() - start
    if status == 0:
        print(f"site: {args.out / 'index.html'} ({seconds:.1f} s)")
    else:
        print(f"site: the build failed (exit {status}, {seconds:.1f} s)", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
