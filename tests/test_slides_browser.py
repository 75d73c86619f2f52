"""教师幻灯片（_build/slides，由 make slides 生成）：在断网的无头 Chromium 里逐套打开检查。"""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest

from browser import PageLog, offline_browser, require_built, require_chromium, serve

ROOT = Path(__file__).resolve().parents[1]
SLIDES = ROOT / "_build" / "slides"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.browser

# nbconvert 的模板经 require.js 加载 reveal.js；我们的模板把它挂到 window.Reveal
PROBE = """async () => {
  const R = window.Reveal;
  if (window.MathJax && MathJax.Hub) await new Promise(r => MathJax.Hub.Queue(r));
  const slides = document.querySelector('.reveal .slides');
  const tex = [...slides.querySelectorAll('script[type^="math/tex"]')];
  const imgs = [...slides.querySelectorAll('section img')];
  return {
    ready: !!(R && R.isReady()),
    total: R ? R.getTotalSlides() : 0,
    imgs: imgs.length,
    loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
    notes: [...slides.querySelectorAll('aside.notes')].map(a => a.textContent.trim()),
    tex: tex.length,
    rendered: tex.filter(s => s.previousElementSibling &&
        /MathJax_CHTML|MJXc-display/.test(s.previousElementSibling.className)).length,
    lang: document.documentElement.lang,
  };
}"""


@pytest.fixture(scope="module")
def decks():
    require_built(SLIDES / "index.html", "make slides")
    with serve(SLIDES) as url, offline_browser() as context:
        yield url, context


def test_index_links_every_chapter(decks):
    url, context = decks
    page = context.new_page()
    log = PageLog(page)
    page.goto(f"{url}/index.html", wait_until="networkidle")
    links = page.eval_on_selector_all("#decks a", "els => els.map(e => e.getAttribute('href'))")
    page.close()
    assert not log.problems()
    assert [f"{c}.slides.html" for c in CHAPTERS] == [h for h in links if h.endswith(".html")]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_deck_works_offline(decks, chapter):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    url, context = decks
    page = context.new_page()
    log = PageLog(page)
    page.goto(f"{url}/{chapter}.slides.html", wait_until="load")
    # 时限宽松：机器忙时，演讲者视图要再加载两份整套幻灯片（当前页、下一页的预览）
    page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=60000)
    info = page.evaluate(PROBE)
    # 演讲者视图（按 S）是一个弹出窗口，同样不能有失败的请求，且要显示备注
    with page.expect_popup(timeout=60000) as popup_info:
        page.keyboard.press("s")
    popup = popup_info.value
    popup_log = PageLog(popup)
    popup.wait_for_selector(".speaker-controls-notes", state="attached", timeout=60000)
    # 等两个预览框（当前、下一张）里的幻灯片都就绪、资源都加载完再关窗，它们的请求才算数
    # （被取消的导航不算失败，见 PageLog）。“网络空闲”只是尽力等：两个浏览器同时跑时，偶尔有一个预览框的请求
    # 一直挂着不结束（不是失败的请求），等满也不会空闲；失败的请求已由 PageLog 记下，下面照样断言。
    popup.wait_for_load_state("load", timeout=60000)
    for frame in popup.frames[1:]:
        frame.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=60000)
    with contextlib.suppress(PlaywrightTimeout):
        popup.wait_for_load_state("networkidle", timeout=20000)
    popup.close()
    page.close()

    assert not log.problems() and not popup_log.problems(), log.problems() + popup_log.problems()
    assert info["ready"]
    assert info["total"] >= 5, info["total"]
    assert info["loaded"] >= 1 and info["loaded"] == info["imgs"], info
    assert info["notes"] and all(info["notes"]), "speaker notes missing"
    assert info["rendered"] == info["tex"], info
    assert info["lang"] == "zh"
    expected = {d["html"]: d for d in json.loads((SLIDES / "decks.json").read_text("utf-8"))}
    assert info["total"] == expected[f"{chapter}.slides.html"]["slides"]


def test_pdfs_were_printed():
    """有 Chromium 时 make slides 必须为每一章打印 PDF。"""
    require_built(SLIDES / "decks.json", "make slides")
    require_chromium()
    decks = json.loads((SLIDES / "decks.json").read_text("utf-8"))
    assert decks and all("pdf" in d for d in decks), "有 Chromium 却没有导出 PDF：make slides 应传 --pdf"
    for d in decks:
        pdf = SLIDES / d["pdf"]
        assert pdf.read_bytes()[:5] == b"%PDF-" and d["pdf_pages"] >= d["slides"], d


# ---------------------------------------------------------------- 讲者备注与代码行宽

# 一张幻灯片（reveal.js 最内层的 <section>）上有图或行间公式，就要有讲者备注（笔记本里 slide_type 为 notes 的格）
DISPLAY_MATH = re.compile(r"\$\$|\\\[|\\begin\{")


def slides_lacking_notes(deck: Path) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(deck.read_text("utf-8"), "html.parser")
    missing = []
    for n, section in enumerate(soup.select(".reveal .slides section"), 1):
        if section.find("section"):  # 一组竖排幻灯片的外层：看里面的每一张
            continue
        notes = section.select("aside.notes")
        shown = section.get_text(" ")
        for aside in notes:
            shown = shown.replace(aside.get_text(" "), "")
        what = [w for w, found in (("图", section.find("img")), ("公式", DISPLAY_MATH.search(shown))) if found]
        if what and not notes:
            heading = section.find(re.compile("^h[1-4]$"))
            title = heading.get_text(strip=True).rstrip("¶") if heading else " ".join(shown.split())[:60]
            missing.append(f"第 {n} 张（{'、'.join(what)}）：{title}")
    return missing


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_figure_and_formula_slides_have_notes(chapter):
    deck = SLIDES / f"{chapter}.slides.html"
    require_built(deck, "make slides")
    missing = slides_lacking_notes(deck)
    assert not missing, "这些幻灯片有图或公式却没有讲者备注：\n" + "\n".join(missing)


# 可见的代码块和输出块，内容比框宽（scrollWidth > clientWidth）就是有一行伸出了右边
CLIPPED = """(root) => [...root.querySelectorAll('pre, .highlight, .jp-OutputArea-output')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.scrollWidth} > ${e.clientWidth}: ${e.textContent.trim().split('\\n')[0].slice(0, 70)}`)"""

EVERY_SLIDE = (
    """async () => {
  const clipped = """
    + CLIPPED
    + """, R = window.Reveal, found = [];
  for (const slide of R.getSlides()) {
    const i = R.getIndices(slide);
    R.slide(i.h, i.v);
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    clipped(slide).forEach(c => found.push(`幻灯片 ${i.h + 1}.${(i.v || 0) + 1}：${c}`));
  }
  return found;
}"""
)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_code_line_is_clipped(decks, chapter):
    """放映时逐张、打印 PDF 的版式（?print-pdf）里，没有一个代码块或输出块的行伸出框外。"""
    url, context = decks
    page = context.new_page()
    page.goto(f"{url}/{chapter}.slides.html", wait_until="load")
    page.wait_for_function("window.Reveal && window.Reveal.isReady()", timeout=60000)
    shown = page.evaluate(EVERY_SLIDE)
    page.goto(f"{url}/{chapter}.slides.html?print-pdf", wait_until="load")
    page.wait_for_selector("html.slides-print-ready", state="attached", timeout=60000)
    printed = page.evaluate(f"() => ({CLIPPED})(document.querySelector('.reveal .slides'))")
    page.close()
    assert not shown, "放映时伸出框外的行：\n" + "\n".join(shown)
    assert not printed, "PDF 版式里伸出框外的行：\n" + "\n".join(printed)
