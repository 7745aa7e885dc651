"""Checks the built website: every relative link and anchor in its HTML, then every page in a
real browser.

Usage: python tools/check_site.py [build/site] [--shots build/site-shots]  (``make test-site``
runs the same checks under pytest, in ``tests_site/``)

The browser is Debian's Chromium, headless, driven by Selenium through Debian's
``chromedriver`` (the paths are given, so Selenium downloads nothing). The site is served on
127.0.0.1 only, and the browser resolves no other host name. For each page: no response of
400 or more and no request to another host (from the browser's own network log), every image
loaded (``naturalWidth > 0``), and every formula typeset by MathJax without an error.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
# Folders of the build that hold no pages of their own.
NOT_PAGES = ("_static", "_sources", "_images", "_downloads", "_include")
# Attributes that load something into the page (an outside host there is a request).
LOADS = {("img", "src"), ("script", "src"), ("iframe", "src"), ("source", "src")}
PAGE_TIMEOUT = 60.0


# --- the static pass -----------------------------------------------------------------------


class _Page(HTMLParser):
    """The ids of one HTML file and the URLs it links to or loads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        for name in ("id", "name") if tag == "a" else ("id",):
            if name in values:
                self.ids.add(values[name])
        for name in ("href", "src"):
            if name in values:
                self.links.append((tag, name, values[name]))
        if tag == "link" and "stylesheet" in values.get("rel", "").split():
            self.links.append(("stylesheet", "href", values.get("href", "")))


def site_pages(site: Path) -> list[Path]:
    """Every HTML page of the built site (relative paths), the home page first."""
    site = _site_folder(site)
    pages = [
        p.relative_to(site)
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0].startswith(NOT_PAGES)
    ]
    return sorted(pages, key=lambda p: (p != Path("index.html"), str(p)))


def _site_folder(site: Path) -> Path:
    if not (site / "index.html").is_file():
        raise ValueError(f"site must be a built site's folder with index.html; received {site}")
    return site.resolve()


def check_links(site: Path) -> list[str]:
    """Problems with the site's relative links: a file that is not there, an anchor that is
    not in its page, or a page element loaded from another host. Links to other sites are
    not followed (they are pages to read, not parts of this one)."""
    site = _site_folder(site)
    parsed: dict[Path, _Page] = {}

    def parse(path: Path) -> _Page:
        if path not in parsed:
            page = _Page()
            page.feed(path.read_text(encoding="utf-8"))
            parsed[path] = page
        return parsed[path]

    problems = []
    for relative in site_pages(site):
        path = site / relative
        for tag, attribute, url in parse(path).links:
            where = f"{relative}: <{tag} {attribute}={url!r}>"
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                if (tag, attribute) in LOADS or tag == "stylesheet":
                    if parts.scheme not in ("data", "blob"):
                        problems.append(f"{where} loads from another host")
                continue
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if not target.is_relative_to(site):
                problems.append(f"{where} points outside the site")
            elif not target.exists():
                problems.append(f"{where}: no such file")
            elif parts.fragment and target.suffix == ".html":
                if target.is_dir() or unquote(parts.fragment) not in parse(target).ids:
                    problems.append(f"{where}: no anchor #{parts.fragment} there")
    return problems


# --- the browser ---------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) while in the block; yields the base URL."""
    site = _site_folder(site)
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def browser_paths() -> tuple[str, str]:
    """Chromium's and chromedriver's paths ($CHROMIUM, $CHROMEDRIVER or Debian's).

    Raises:
        ValueError: either is missing.
    """
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        raise ValueError(
            f"no browser to test the site with: {', '.join(missing)} not found. Install "
            "Debian's chromium and chromium-driver (make test-site does, with apt-get), or set "
            "$CHROMIUM and $CHROMEDRIVER to a Chromium and its driver."
        )
    return CHROMIUM, CHROMEDRIVER


@contextmanager
def chromium(width: int = 1280, height: int = 1400) -> Iterator[object]:
    """A headless Chromium under Selenium that logs its network traffic and can reach no
    host but 127.0.0.1."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--disable-background-networking",
        "--no-first-run",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    driver.set_script_timeout(PAGE_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


# Waits for every image to finish and for MathJax's first typesetting, then describes both.
_PAGE_STATE = """
const done = arguments[arguments.length - 1];
const images = () => Array.from(document.images);
const settled = async () => {
  const start = Date.now();
  while (images().some((img) => !img.complete) && Date.now() - start < 30000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const formulas = document.querySelectorAll("span.math, div.math").length;
  let mathjax = "absent";
  if (window.MathJax) {
    const waited = Date.now();
    while (!(MathJax.startup && MathJax.startup.promise) && Date.now() - waited < 30000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      await MathJax.startup.promise;
      mathjax = "typeset";
    } catch (error) {
      mathjax = "failed: " + error;
    }
  }
  const errors = Array.from(document.querySelectorAll("mjx-merror, [data-mjx-error]")).map(
    (node) => node.getAttribute("data-mjx-error") || node.textContent);
  done({
    images: images().map((img) => ({src: img.currentSrc || img.src, width: img.naturalWidth})),
    formulas: formulas,
    typeset: document.querySelectorAll("mjx-container").length,
    mathjax: mathjax,
    errors: errors,
  });
};
settled();
"""


def _network(driver: object, base: str) -> list[str]:
    """Problems in the browser's network log since the last call."""
    problems, urls = [], {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message["method"], message.get("params", {})
        if method == "Network.requestWillBeSent":
            url = urls[params["requestId"]] = params["request"]["url"]
            if not url.startswith((base, "data:", "blob:")):
                problems.append(f"request to another host: {url}")
        elif method == "Network.responseReceived":
            response = params["response"]
            if response["status"] >= 400:
                problems.append(f"HTTP {response['status']} for {response['url']}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            url = urls.get(params["requestId"], "?")
            if url.startswith(base):  # another host's failure is reported above
                problems.append(f"failed to load ({params.get('errorText')}): {url}")
    return problems


def check_page(driver: object, base: str, page: str | Path) -> list[str]:
    """Load one page of the site served at ``base``; its problems, each prefixed by its path."""
    page = Path(page).as_posix()
    driver.get_log("performance")  # drop what earlier pages left
    driver.get(base + page)
    state = driver.execute_async_script(_PAGE_STATE)
    problems = _network(driver, base)
    for image in state["images"]:
        if image["width"] == 0:
            problems.append(f"image not loaded (naturalWidth 0): {image['src']}")
    if state["formulas"]:
        if state["mathjax"] != "typeset":
            problems.append(f"MathJax {state['mathjax']} ({state['formulas']} formulas)")
        elif state["typeset"] < state["formulas"]:
            problems.append(f"MathJax typeset {state['typeset']} of {state['formulas']} formulas")
    problems += [f"MathJax error: {error}" for error in state["errors"]]
    return [f"{page}: {problem}" for problem in problems]


def search(driver: object, base: str, query: str) -> list[str]:
    """The pages (relative URLs, without anchors) the site's search lists for ``query``."""
    from urllib.parse import quote

    driver.get(f"{base}search.html?q={quote(query)}")
    start = time.monotonic()
    while time.monotonic() - start < PAGE_TIMEOUT:
        found = driver.execute_script(
            "const r = document.querySelector('#search-results');"
            "if (!r || !r.querySelector('p.search-summary, .search-summary')) return null;"
            "return Array.from(r.querySelectorAll('ul.search li a'), (a) => a.href);"
        )
        if found is not None:
            return sorted({urlsplit(url).path.removeprefix(urlsplit(base).path) for url in found})
        time.sleep(0.2)
    raise TimeoutError(f"the search page gave no results for {query!r} in {PAGE_TIMEOUT} s")


def screenshot(driver: object, base: str, page: str, path: Path, scroll_to: str = "") -> Path:
    """A PNG of ``page`` as a reader's 1280-pixel-wide window shows it, saved to ``path``;
    scrolled to the first element matching the CSS selector ``scroll_to``, if one is given."""
    driver.get(base + page)
    driver.execute_async_script(_PAGE_STATE)
    if scroll_to:
        found = driver.execute_script(
            "const e = document.querySelector(arguments[0]);"
            "if (e) e.scrollIntoView({block: 'center'}); return e !== null;",
            scroll_to,
        )
        if not found:
            raise ValueError(f"{page} has nothing matching scroll_to={scroll_to!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(path)):
        raise OSError(f"Chromium could not save a screenshot to {path}")
    return path


def check_site(site: Path, pages: list[Path] | None = None) -> list[str]:
    """Every problem the browser finds on ``pages`` (default: every page of the site)."""
    pages = site_pages(site) if pages is None else pages
    problems = []
    with serve(site) as base, chromium() as driver:
        for page in pages:
            problems += check_page(driver, base, page)
    return problems


# Screenshots for a person to look at: file name -> (page, where to scroll).
SHOTS = {
    "home.png": ("index.html", ""),
    "00_setup_and_imagenet.png": ("notebooks/00_setup_and_imagenet.html", ""),  # its math
    "05_resnet.png": ("notebooks/05_resnet.html", "article img"),  # its first figure
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=Path("build/site"))
    parser.add_argument("--shots", type=Path, default=Path("build/site-shots"))
    args = parser.parse_args(argv)
    try:
        problems = check_links(args.site)
        pages = site_pages(args.site)
        with serve(args.site) as base, chromium() as driver:
            for page in pages:
                problems += check_page(driver, base, page)
            if "notebooks/05_resnet.html" not in search(driver, base, "residual"):
                problems.append("search.html: 'residual' does not find lesson 05")
            for name, (page, scroll_to) in SHOTS.items():
                screenshot(driver, base, page, args.shots / name, scroll_to)
    except ValueError as error:
        parser.error(str(error))
    print("\n".join(problems) or f"{len(pages)} pages checked: no problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
