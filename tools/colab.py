"""Open-in-Colab for the course, behind one setting: the repository's public address.

With an address (``make colab REPOSITORY_URL=https://github.com/OWNER/REPO``), every notebook
gets, right after its title, a badge that opens it on Colab and a cell that installs the
package there (Colab has Keras and TensorFlow already; the package no longer pulls Jupyter, so
it does not fight Colab's own notebook server). Without one, the cells are taken out again and
nothing appears. The site (``docs/site/conf.py``) reads the same setting for its launch
buttons, and leaves these cells out of its pages.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

COLAB_URL = "https://colab.research.google.com"
BADGE_IMAGE = f"{COLAB_URL}/assets/colab-badge.svg"
# Cells this tool owns carry this tag (and fixed ids), so writing them twice changes nothing.
TAG = "colab"
_GITHUB = re.compile(r"https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?")
_BRANCH = re.compile(r"[A-Za-z0-9._/-]+")


def parse_repository_url(url: str) -> str:
    """The repository's address as ``https://github.com/OWNER/REPO``, or ``""`` for none.

    Colab opens notebooks from GitHub only, so any other address is refused.

    Raises:
        ValueError: ``url`` is not empty and not a GitHub repository's address.
    """
    url = url.strip()
    if not url:
        return ""
    match = _GITHUB.fullmatch(url)
    if match is None:
        raise ValueError(
            f"REPOSITORY_URL must be a GitHub repository's address, "
            f"https://github.com/OWNER/REPO (Colab opens notebooks from GitHub only); "
            f"received {url!r}"
        )
    return f"https://github.com/{match[1]}/{match[2]}"


def colab_cells(repository_url: str, branch: str, notebook: str) -> list:
    """The badge cell and the install cell for ``notebook`` (its path in the repository)."""
    repository_url = parse_repository_url(repository_url)
    if not repository_url:
        raise ValueError("repository_url is empty: with no address there are no Colab cells")
    if not _BRANCH.fullmatch(branch):
        raise ValueError(f"branch must be a git branch name; received {branch!r}")
    if not notebook.endswith(".ipynb") or notebook.startswith("/"):
        raise ValueError(f"notebook must be a relative .ipynb path; received {notebook!r}")
    repo = repository_url.removeprefix("https://github.com/")
    link = f"{COLAB_URL}/github/{repo}/blob/{branch}/{notebook}"
    badge = nbformat.v4.new_markdown_cell(
        f"[![Open in Colab]({BADGE_IMAGE})]({link})", id="colab-badge"
    )
    install = nbformat.v4.new_code_cell(
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:  # on Colab: install the course\'s package\n'
        f'    %pip install --quiet "cnn-keras @ git+{repository_url}@{branch}"',
        id="colab-install",
    )
    for cell in (badge, install):
        cell.metadata["tags"] = [TAG]
    return [badge, install]


def is_colab_cell(cell: dict) -> bool:
    return TAG in cell.get("metadata", {}).get("tags", [])


def write_colab_cells(path: Path, repository_url: str, branch: str, root: Path) -> bool:
    """Put this tool's cells in the notebook at ``path`` (or take them out when
    ``repository_url`` is empty); ``True`` when the file changed."""
    notebook = nbformat.read(path, as_version=4)
    kept = [cell for cell in notebook.cells if not is_colab_cell(cell)]
    if repository_url and kept:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
        kept[1:1] = colab_cells(repository_url, branch, relative)
    if [dict(c) for c in kept] == [dict(c) for c in notebook.cells]:
        return False
    notebook.cells = kept
    nbformat.write(notebook, path)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--url", default="", help="https://github.com/OWNER/REPO, or empty")
    parser.add_argument("--branch", default="main")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository's root")
    args = parser.parse_args(argv)
    try:
        url = parse_repository_url(args.url)
        changed = [p for p in args.notebooks if write_colab_cells(p, url, args.branch, args.root)]
    except ValueError as error:
        parser.error(str(error))
    print(f"{len(changed)} of {len(args.notebooks)} notebooks changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
