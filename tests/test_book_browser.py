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

from browser import ARTIFACTS, PageLog, offline_browser, require_built, serve, wait_for_math

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


PAGES = _pages() if HTML.is_dir() else []  # 没有构建时为空：test_every_chapter_was_built 报告原因


def test_every_chapter_was_built():
    require_built(HTML / "index.html", "make book")
    for stem in CHAPTERS:
        assert f"notebooks/{stem}.html" in PAGES, stem
    # 至少有一页有公式（下面逐页检查它们都排好了版）
    assert any('class="math' in (HTML / rel).read_text(encoding="utf-8") for rel in PAGES), "no page has formulas"


@pytest.mark.parametrize("rel", PAGES)
def test_page_reads_well(site, rel):
    """打开一页，像读者一样检查：没有失败的请求或控制台错误、图都加载了、公式都排好了版、没有漏排的 $…$、
    界面语言是中文。每页一个测试，各页可以分给不同的进程同时检查。"""
    url, context = site
    page = context.new_page()
    log = PageLog(page)
    page.goto(f"{url}/{rel}", wait_until="networkidle")
    wait_for_math(page)
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
          title: document.title,
        };
    }""")
    info["problems"] = log.problems()
    ARTIFACTS.mkdir(exist_ok=True)
    if rel in ("index.html", "notebooks/06_train_evaluate.html"):
        page.screenshot(path=str(ARTIFACTS / f"book-{Path(rel).stem}.png"), full_page=True)
    page.close()
    summary = ARTIFACTS / "book-pages" / f"{rel.replace('/', '--')}.json"
    summary.parent.mkdir(exist_ok=True)
    summary.write_text(json.dumps({**info, "text": info["text"][:200]}, ensure_ascii=False, indent=1), encoding="utf-8")

    assert not info["problems"], info["problems"]
    assert not info["broken"], info["broken"]
    if rel.startswith("notebooks/"):
        assert info["images"] >= 2  # 图标 + 至少一张由代码画出的图
    assert info["mjx"] >= info["math"]
    raw = re.findall(r"\$[^$\n]{1,80}\$", info["text"])
    assert not raw, raw[:3]
    assert info["lang"] == "zh-CN"


def test_chrome_is_chinese():
    require_built(HTML / "index.html", "make book")
    front = (HTML / "book" / "preface.html").read_text(encoding="utf-8")
    assert "搜索" in front and "上一页" not in front


def test_next_links_walk_the_chapters_in_order():
    require_built(HTML / "index.html", "make book")
    order = []
    rel = f"notebooks/{CHAPTERS[0]}.html"
    while rel in PAGES and len(order) < 50:
        order.append(rel)
        nxt = _parse(HTML / rel).next
        if not nxt:
            break
        rel = urlparse(urljoin(rel, nxt)).path
    chapters = [r for r in order if r.startswith("notebooks/")]
    assert chapters == [f"notebooks/{s}.html" for s in CHAPTERS]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()
        self.next = None  # “下一页”按钮（a.right-next）的链接

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
            if "right-next" in (attrs.get("class") or "").split():
                self.next = attrs["href"]
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
    parsed = {}  # 每页只解析一次（setdefault 会先算出默认值，所以不用它）

    def links_of(key):
        if key not in parsed:
            parsed[key] = _parse(HTML / key)
        return parsed[key]

    missing = []
    for rel in PAGES:
        links = links_of(rel)
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
                ids = links_of(str(path.relative_to(HTML))).ids
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
