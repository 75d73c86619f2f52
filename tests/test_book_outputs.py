"""书构建时执行各章得到的输出（jupyter-cache）：没有缺字形警告，每章都有图，没有意外错误。"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import require_built

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def cache():
    require_built(CACHE, "make book")
    from jupyter_cache import get_cache

    return get_cache(str(CACHE))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_executed_outputs(cache, path):
    try:
        _, nb = cache.merge_match_into_file(str(path))
    except KeyError:
        pytest.fail(f"{path.name} 改过但书没有重建（make book）")
    stderr, images, errors = [], 0, []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr":
                stderr.append(out.text)
            elif out.output_type == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                errors.append(out.ename)
            images += "image/png" in out.get("data", {})
    glyphs = [t for t in stderr if "missing from font" in t or "Glyph" in t]
    assert not glyphs, glyphs[:3]
    assert not errors
    assert images >= 1, "chapter draws no figure"


# ---------------------------------------------------------------- 图：编号、图题、替代文字（HTML 书与单页 HTML）

HTML = ROOT / "_build" / "html"
SINGLE = ROOT / "_build" / "singlehtml"
PRINT_PAGE = "book-print.html"  # tools/book_pdf.py 打印的页面
# 替代文字不能是文件名、路径或散列（MyST-NB 默认把图的文件名当替代文字）
FILE_LIKE = re.compile(r"\.(png|jpe?g|gif|svg|webp)\b|^\.{0,2}/|_images/|[0-9a-f]{16,}", re.IGNORECASE)


def figure_problems(scope, chapter: int) -> tuple[list[str], int]:
    """检查 scope（一章正文）里的每一张图：在有编号、有图题的 figure 里，替代文字是一句话，正文按编号引用了它。"""
    problems, count = [], 0
    for img in scope.find_all("img"):
        count += 1
        src = img.get("src", "")
        alt = (img.get("alt") or "").strip()
        if not alt or FILE_LIKE.search(alt):
            problems.append(f"{src}: 替代文字 {alt!r} 不是描述（mystnb.image.alt）")
        figure = img.find_parent("figure")
        number = figure.select_one("figcaption .caption-number") if figure else None
        if number is None:
            problems.append(f"{src}: 没有编号的图题（mystnb.figure.caption/name）")
            continue
        label = number.get_text(strip=True)
        expected = rf"图{chapter}\.\d+"  # 附录（08–10）按文件编号，见 book/_ext/appendix_fignumbers.py
        if not re.fullmatch(expected, label.replace(" ", "")):
            problems.append(f"{src}: 图号 {label!r} 不是 {expected}")
        if not figure.select_one("figcaption .caption-text"):
            problems.append(f"{src}: {label} 没有图题文字")
        refs = [a for a in scope.select(f'a[href$="#{figure.get("id")}"]') if a.find_parent("figure") is not figure]
        if not any(a.get_text(strip=True).replace(" ", "") == label.replace(" ", "") for a in refs):
            problems.append(f"{src}: 正文没有按编号引用 {label}（{{numref}}`图 %s <{figure.get('id')}>`）")
    return problems, count


def chapter_number(stem: str) -> int:
    return int(stem[:2])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_figures_are_numbered_captioned_and_described(path):
    from bs4 import BeautifulSoup

    page = HTML / "notebooks" / f"{path.stem}.html"
    require_built(page, "make book")
    article = BeautifulSoup(page.read_text("utf-8"), "html.parser").select_one("article.bd-article")
    problems, count = figure_problems(article, chapter_number(path.stem))
    assert count >= 1, "chapter draws no figure"
    assert not problems, "\n".join(problems)


def test_singlehtml_figures_keep_numbers_and_descriptions():
    """make pdf 打印的单页 HTML：每一章的图也有编号、图题和替代文字（PDF 里的图随之有图题）。"""
    from bs4 import BeautifulSoup

    page = SINGLE / PRINT_PAGE
    require_built(page, "make pdf")
    text = page.read_text("utf-8")
    # 单页 HTML 在每一篇文档开头放一个 <span id="document-路径">，各章是其后直到下一个标记的部分
    marks = [(m.start(), m.group(1)) for m in re.finditer(r'<span id="document-([^"]+)"', text)] + [(len(text), None)]
    chunks = {doc: text[start:end] for (start, doc), (end, _) in zip(marks, marks[1:])}
    for path in NOTEBOOKS:
        chunk = chunks.get(f"notebooks/{path.stem}")
        assert chunk is not None, f"{path.stem} 不在 {page.name} 里"
        problems, count = figure_problems(BeautifulSoup(chunk, "html.parser"), chapter_number(path.stem))
        assert count >= 1 and not problems, (path.stem, problems)
