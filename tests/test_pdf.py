"""整本书的 PDF（make pdf → _build/pdf/lenet-book.pdf）：字体、文字、公式、图、书签、页码、目录、版面。

没有构建结果或没有 poppler（pdffonts、pdftotext、pdfimages、pdftoppm）时跳过，CI 中则失败。
"""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from browser import ARTIFACTS, require_built, require_program, skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "pdf" / "lenet-book.pdf"
HTML = ROOT / "_build" / "html"
A4 = (595.0, 842.0)  # pt
MIN_MARGIN = 36.0  # pt ≈ 12.7 mm：正文离纸边至少这么远
TERMS = ["卷积", "池化", "交叉熵", "手写数字"]

# 各项检查共用模块级的 PDF 文字和图（make test-built 按 xdist_group 把它们分给同一个进程）
pytestmark = [pytest.mark.book, pytest.mark.xdist_group("pdf")]


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def _toc_docs() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]


class _Article(HTMLParser):
    """HTML 书一页正文（<article>）里的标题和位图数。"""

    def __init__(self):
        super().__init__()
        self.depth, self.title, self.in_h1, self.raster = 0, "", False, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.depth += 1
        if self.depth and tag == "h1" and not self.title:
            self.in_h1 = True
        if self.depth and tag == "img" and not (attrs.get("src") or "").endswith(".svg"):
            self.raster += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data):
        if self.in_h1:
            self.title += data


def _html_chapter(doc: str) -> _Article:
    parser = _Article()
    parser.feed((HTML / f"{doc}.html").read_text(encoding="utf-8"))
    parser.title = parser.title.replace("#", "").strip()
    return parser


@pytest.fixture(scope="module")
def pdf() -> Path:
    require_built(PDF, "make pdf")
    for tool in ("pdffonts", "pdftotext", "pdfimages", "pdfinfo", "pdftoppm"):
        require_program(tool, "poppler-utils")
    return PDF


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """每一页抽出的文字（pdftotext 用换页符分页）。"""
    return _run("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


@pytest.fixture(scope="module")
def images(pdf) -> dict[int, list[str]]:
    """页码 → 该页每张图的类型（pdfimages -list：image、smask……）。"""
    per_page: dict[int, list[str]] = {}
    for row in _run("pdfimages", "-list", str(pdf)).splitlines()[2:]:
        cols = row.split()
        per_page.setdefault(int(cols[0]), []).append(cols[2])
    return per_page


@pytest.fixture(scope="module")
def chapters(pdf) -> dict[str, int]:
    """_toc.yml 中每个文档 → 它的 PDF 书签指向的页码（1 起）；书签标题 = HTML 书里该页的标题。"""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    marks: dict[str, int] = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                marks.setdefault(item.title.strip(), reader.get_destination_page_number(item) + 1)

    walk(reader.outline)
    result = {}
    for doc in _toc_docs():
        title = _html_chapter(doc).title
        assert title in marks, f"PDF 没有 {doc}（{title}）的书签；书签：{list(marks)[:40]}"
        result[doc] = marks[title]
    return result


def test_fonts_are_embedded_with_unicode_maps(pdf):
    """每个字体都嵌入、都带 ToUnicode（中文能复制、能搜索），中文字体以它的名字嵌入。

    Chromium（Skia）把 Noto Sans CJK 这类 CFF 轮廓的字体嵌成无名的 Type 3 字形，pdffonts 看不出是什么字体；
    所以印刷样式先用 TrueType 轮廓的文泉驿微米黑（Debian：fonts-wqy-microhei），它以 CID TrueType 嵌入、带名字。
    """
    rows = [r.split() for r in _run("pdffonts", str(pdf)).splitlines()[2:]]
    assert rows
    assert all(r[-5] == "yes" for r in rows), "有字体没有嵌入"
    assert all(r[-3] == "yes" for r in rows), "有字体没有 ToUnicode"
    if "WenQuanYi Micro Hei" not in _run("fc-list", ":lang=zh", "family"):
        skip_or_fail("没有文泉驿微米黑，PDF 里的中文只能嵌成无名字形：apt-get install fonts-wqy-microhei")
    cjk = [r[0] for r in rows if "WenQuanYiMicroHei" in r[0]]
    assert cjk, [r[0] for r in rows]
    assert all(r[1:3] == ["CID", "TrueType"] for r in rows if r[0] in cjk)


def test_chinese_text_extractable_and_no_raw_tex(pages):
    text = "\n".join(pages)
    for term in TERMS:
        assert term in text, term
    # 代码里本来就写着的 $…$（如 Matplotlib 标题的 mathtext）照原样印出；正文里的公式必须排版成数学符号
    code = "\n".join(
        "".join(c["source"])
        for nb in (ROOT / "notebooks").glob("*.ipynb")
        for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code"
    )
    raw = [m for m in re.findall(r"\$[^$\n]{1,80}\$", text) if m not in code]
    assert not raw, raw[:5]
    for tex in ("\\frac", "\\begin{", "\\mathrm"):
        assert tex not in text or tex in code, tex


def test_a4_with_margins(pdf):
    info = _run("pdfinfo", str(pdf))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size[1]) - A4[0]) < 2 and abs(float(size[2]) - A4[1]) < 2, info
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 30


def test_no_line_runs_off_the_page(pdf):
    """pdftotext -bbox：每个词都在页边距以内（被截断的长代码行会越过右边距）。"""
    bbox = _run("pdftotext", "-bbox", str(pdf), "-")
    outside = []
    for page_no, page in enumerate(bbox.split("<page ")[1:], start=1):
        for x_min, x_max, word in re.findall(
            r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)', page
        ):
            if float(x_min) < MIN_MARGIN or float(x_max) > A4[0] - MIN_MARGIN:
                outside.append((page_no, word, x_min, x_max))
    assert not outside, outside[:10]


def test_every_chapter_has_a_bookmark_in_order(chapters):
    order = [chapters[d] for d in _toc_docs()]
    assert order == sorted(order) and len(set(order[1:])) == len(order) - 1, chapters


def test_page_numbers_in_the_footer(pages):
    numbered = 0
    for i, text in enumerate(pages, start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        numbered += bool(lines) and lines[-1] == str(i)
    assert numbered >= 0.95 * len(pages), f"{numbered}/{len(pages)} 页底有页码"


def test_table_of_contents_lists_every_chapter_with_its_page(pages, chapters):
    toc_pages = [i for i, t in enumerate(pages[:5]) if re.search(r"^\s*目录\s*$", t, re.M)]
    assert toc_pages, "前 5 页里没有目录"
    toc = "\n".join(pages[toc_pages[0] : toc_pages[0] + 2])
    for doc, page in chapters.items():
        if doc == _toc_docs()[0]:
            continue
        title = _html_chapter(doc).title
        line = next((line for line in toc.splitlines() if title in line), None)
        assert line is not None, f"目录里没有 {title}"
        assert line.rstrip().endswith(str(page)), (title, page, line)


def test_every_figure_of_the_html_book_is_in_the_pdf(images, chapters):
    """按章比较：HTML 书每章正文里的位图数 ≤ PDF 里该章页码范围内的位图数。"""
    starts = sorted(chapters.values())
    per_page = {page: kinds.count("image") for page, kinds in images.items()}
    for doc, first in chapters.items():
        later = [s for s in starts if s > first]
        last = later[0] - 1 if later else max(per_page, default=first)
        in_pdf = sum(n for p, n in per_page.items() if first <= p <= last)
        in_html = _html_chapter(doc).raster
        assert in_pdf >= in_html, f"{doc}: HTML {in_html} 张位图, PDF 第 {first}-{last} 页只有 {in_pdf} 张"
    assert sum(per_page.values()) >= 10


@pytest.mark.parametrize("doc", ["notebooks/02_principles", "notebooks/07_visualization"])
def test_rasterised_page_for_a_person_to_look_at(pdf, images, chapters, doc):
    """把该章第一页带图的页渲染成 PNG 放进 test-artifacts/，供人查看版面。"""
    first = chapters[doc]
    page = next((p for p in range(first, first + 15) if "image" in images.get(p, [])), first)
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"book-pdf-{Path(doc).name[:2]}"
    _run("pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(out))
    png = out.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_front_page_links_the_pdf(pdf):
    front = (HTML / "book" / "preface.html").read_text(encoding="utf-8")
    assert 'href="../lenet-book.pdf"' in front
    assert (HTML / "lenet-book.pdf").read_bytes() == pdf.read_bytes()


def test_singlehtml_build_reused_the_execution_cache(pdf):
    """PDF 与 HTML 书是同一次执行：singlehtml 的构建日志里没有执行任何笔记本。"""
    log = (ROOT / "_build" / "singlehtml.log").read_text(encoding="utf-8")
    assert "build succeeded" in log
    assert "Executing notebook" not in log
