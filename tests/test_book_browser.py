"""像读者一样检查构建好的书（_build/html）：在离线的无头 Chromium 里打开每一页。

先 `make book`（make test 会先构建书）；没有构建结果时跳过，CI 中则失败。
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import pytest

from browser import ARTIFACTS, PageLog, offline_browser, require_built, serve

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
SEARCH_QUERIES = ["卷积", "池化", "交叉熵", "手写数字"]

pytestmark = pytest.mark.browser


def _pages() -> list[str]:
    return sorted(
        str(p.relative_to(HTML))
        for p in HTML.rglob("*.html")
        if not p.relative_to(HTML).parts[0].startswith(("_", "."))
    )


@pytest.fixture(scope="module")
def site():
    require_built(HTML / "index.html", "make book")
    with serve(HTML) as url, offline_browser() as context:
        yield url, context


@pytest.fixture(scope="module")
def visited(site):
    """打开每一页一次，收集需要的信息，供下面各项检查使用。"""
    url, context = site
    ARTIFACTS.mkdir(exist_ok=True)
    results = {}
    for rel in _pages():
        page = context.new_page()
        log = PageLog(page)
        page.goto(f"{url}/{rel}", wait_until="networkidle")
        has_math = page.locator(".math").count() > 0
        if has_math:
            page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
            page.evaluate("MathJax.startup.promise")
            page.wait_for_function(
                "document.querySelectorAll('.math').length <= document.querySelectorAll('mjx-container').length",
                timeout=30000,
            )
        info = page.evaluate("""() => {
            const art = (document.querySelector('article') || document.body).cloneNode(true);
            art.querySelectorAll('pre, code, script, style, mjx-container, .highlight, .math')
               .forEach(e => e.remove());
            return {
              lang: document.documentElement.lang,
              broken: Array.from(document.images)
                        .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
              images: document.images.length,
              math: document.querySelectorAll('.math').length,
              mjx: document.querySelectorAll('mjx-container').length,
              text: art.innerText,
              next: (document.querySelector('a.right-next') || {}).href || null,
              title: document.title,
            };
        }""")
        info["problems"] = log.problems()
        if rel in ("index.html", "notebooks/06_train_evaluate.html"):
            page.screenshot(path=str(ARTIFACTS / f"book-{Path(rel).stem}.png"), full_page=True)
        page.close()
        results[rel] = info
    (ARTIFACTS / "book-pages.json").write_text(
        json.dumps({k: {**v, "text": v["text"][:200]} for k, v in results.items()}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return results


def test_every_chapter_was_built(visited):
    for stem in CHAPTERS:
        assert f"notebooks/{stem}.html" in visited, stem


def test_no_failed_request_or_console_error(visited):
    bad = {rel: v["problems"] for rel, v in visited.items() if v["problems"]}
    assert not bad, bad


def test_every_image_loaded(visited):
    bad = {rel: v["broken"] for rel, v in visited.items() if v["broken"]}
    assert not bad, bad
    # 每一章都至少有一张由代码画出的图
    for stem in CHAPTERS:
        assert visited[f"notebooks/{stem}.html"]["images"] >= 2, stem  # 图标 + 至少一张图


def test_formulas_typeset_and_no_raw_dollars(visited):
    with_math = [rel for rel, v in visited.items() if v["math"]]
    assert with_math, "no page has formulas"
    for rel in with_math:
        assert visited[rel]["mjx"] >= visited[rel]["math"], rel
    for rel, v in visited.items():
        raw = re.findall(r"\$[^$\n]{1,80}\$", v["text"])
        assert not raw, (rel, raw[:3])


def test_chrome_is_chinese(visited):
    for rel, v in visited.items():
        assert v["lang"] == "zh-CN", rel
    front = (HTML / "book" / "preface.html").read_text(encoding="utf-8")
    assert "搜索" in front and "上一页" not in front


def test_next_links_walk_the_chapters_in_order(visited, site):
    url, _ = site
    order = []
    rel = f"notebooks/{CHAPTERS[0]}.html"
    while rel in visited and len(order) < 50:
        order.append(rel)
        nxt = visited[rel]["next"]
        if not nxt:
            break
        rel = urlparse(nxt).path.lstrip("/")
    chapters = [r for r in order if r.startswith("notebooks/")]
    assert chapters == [f"notebooks/{s}.html" for s in CHAPTERS]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag in ("img", "script") and attrs.get("src"):
            self.hrefs.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_internal_links_and_anchors_exist():
    require_built(HTML / "index.html", "make book")
    parsed = {}
    missing = []
    for rel in _pages():
        links = parsed.setdefault(rel, _parse(HTML / rel))
        for href in links.hrefs:
            if urlparse(href).scheme or href.startswith(("//", "mailto:", "javascript:")):
                continue
            target, anchor = urldefrag(urljoin(rel, href))
            target = unquote(urlparse(target).path) or rel
            path = HTML / target
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                missing.append(f"{rel} → {href}")
                continue
            if anchor and path.suffix == ".html":
                key = str(path.relative_to(HTML))
                ids = parsed.setdefault(key, _parse(path)).ids
                if unquote(anchor) not in ids:
                    missing.append(f"{rel} → {href} (anchor)")
    assert not missing, missing[:20]


@pytest.mark.parametrize("query", SEARCH_QUERIES)
def test_chinese_search_finds_chapters(site, query):
    url, context = site
    page = context.new_page()
    page.goto(f"{url}/search.html?q={query}", wait_until="networkidle")
    page.wait_for_selector("#search-results li a", timeout=20000)
    hits = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
    page.close()
    assert any("/notebooks/" in h for h in hits), (query, hits)
