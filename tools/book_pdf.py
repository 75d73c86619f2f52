"""把整本书打印成一个 PDF：单页 HTML（jupyter-book --builder singlehtml）由无头 Chromium 打印。

用法（make pdf 会先构建 HTML 书，再调用本脚本）：
    python tools/book_pdf.py [--out _build/pdf/lenet-book.pdf]

- 不再执行任何一章：singlehtml 与 HTML 书共用执行缓存（_build/.jupyter_cache），构建日志里出现
  “Executing notebook” 就报错退出。
- 等 MathJax 排版完再打印；打印样式隐藏导航、让长代码行折行；打印前检查没有一个代码块超出版心。
- 打印两遍：第一遍从 PDF 书签读出每章的页码，填进书前的目录，第二遍得到最终 PDF。
- 结束时把 PDF 复制到 HTML 书里（_build/html/lenet-book.pdf），并在前言页的占位处放上下载链接。
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import chromium  # noqa: E402  tools/chromium.py：浏览器的查找与参数只在一处

from browser import PageLog, serve, wait_for_math  # noqa: E402

BUILD = ROOT / "_build"
SINGLE = BUILD / "singlehtml"
HTML = BUILD / "html"
PDF_NAME = "lenet-book.pdf"
PRINT_PAGE = "book-print.html"
FRONT_PAGE = HTML / "book" / "preface.html"
PDF_SLOT = re.compile(r'<div id="book-pdf"[^>]*>.*?</div>', re.S)  # book/preface.md 里的占位
MARGIN = {"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"}
FOOTER = (
    '<div style="font-size:10px;width:100%;text-align:center;color:#555;'
    "font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif\"><span class=\"pageNumber\"></span></div>"
)

PRINT_CSS = """
@page { size: A4; }
/* 中文先用文泉驿微米黑（TrueType 轮廓：Chromium 把它作为有名字的 CID 字体嵌入 PDF）；
   没有它时退回 Noto Sans CJK（CFF 轮廓，只能嵌成无名的 Type 3 字形） */
:root { --pst-font-family-base: "DejaVu Sans", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif;
  --pst-font-family-heading: var(--pst-font-family-base);
  --pst-font-family-monospace: "DejaVu Sans Mono", "WenQuanYi Micro Hei Mono", "Noto Sans Mono CJK SC", monospace; }
body { font-family: var(--pst-font-family-base) !important; }
pre, code, kbd, samp { font-family: var(--pst-font-family-monospace) !important; }
html, body { background: #fff !important; }
/* 主题的印刷样式另印一遍页标题和本页小目录、又藏起正文第一个 h1：整本书由我们自己的目录代替 */
.onlyprint { display: none !important; }
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
.bd-footer-article, .bd-footer-content, .prev-next-area, .header-article-items, .skip-link,
.search-button, .theme-switch-button, .toc-entry, #pst-back-to-top, .headerlink,
.copybtn, .toggle-button, button.toggle-button, .cell_input.hide, details.hide.above-input,
.tag_hide-input > .cell_input, .tag_hide-input details { display: none !important; }
.bd-container, .bd-container__inner, .bd-main, .bd-content, .bd-article-container, .bd-article,
.bd-page-width { max-width: none !important; width: auto !important; padding: 0 !important;
  margin: 0 !important; }
body { font-size: 10.5pt; }
pre, pre code, .highlight pre, .output pre, .cell_output pre {
  white-space: pre-wrap !important; overflow-wrap: anywhere !important; word-break: break-all !important;
  overflow: visible !important; max-height: none !important; font-size: 8.5pt !important; }
.cell_output, .output { max-height: none !important; overflow: visible !important; }
img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
figure, .cell_output img, table, .cell_input, .cell_output, .admonition { break-inside: avoid; }
table { font-size: 9pt; }
.bd-article h1 { font-size: 2em; } .bd-article h2 { font-size: 1.45em; } .bd-article h3 { font-size: 1.2em; }
h1, h2, h3 { break-after: avoid; }
section.chapter-start { break-before: page; }
mjx-container[display="true"] { overflow: visible !important; }
#pdf-toc { break-after: page; }
#pdf-toc h1 { break-before: auto; }
#pdf-toc ol { list-style: none; padding-left: 0; }
#pdf-toc li { display: flex; gap: .4em; margin: .25em 0; }
#pdf-toc li.part { font-weight: bold; margin-top: .8em; }
#pdf-toc li .dots { flex: 1; border-bottom: 1px dotted #999; margin-bottom: .35em; }
#pdf-toc a { color: inherit; text-decoration: none; }
/* 练习答案在印刷版里全部展开 */
.dropdown > .admonition-title ~ *, details.dropdown > *, .toggle-hidden { display: revert !important; }
"""

# 在页面里：展开答案、标出每章的起点、生成目录，并返回每章的标题、图片数和超宽的代码块
PREPARE_JS = """(toc) => {
  document.querySelectorAll('details').forEach(d => {
    if (!d.closest('.tag_hide-input') && !d.classList.contains('above-input')) d.open = true;
  });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  const article = document.querySelector('article.bd-article') || document.body;
  // singlehtml 把每个文档放进一个带 id 的 <span id="document-..."> 后面的 <section>
  const chapters = [];
  toc.forEach((entry, i) => {
    // singlehtml：根文档是正文第一节；其余每个文档前有一个 <span id="document-文档名">，后面紧跟它的 <section>
    let sec = null, anchor = null;
    if (i === 0) { sec = article.querySelector('section'); anchor = sec && sec.id; }
    else {
      const span = document.getElementById('document-' + entry.doc);
      sec = span && span.nextElementSibling;
      while (sec && sec.tagName !== 'SECTION') sec = sec.nextElementSibling;
      anchor = span && span.id;
    }
    if (!sec) { chapters.push({doc: entry.doc, missing: true}); return; }
    if (i > 0) {
      sec.classList.add('chapter-start');
      // singlehtml 把各章嵌在前言之下（章标题是 h2）：升一级，PDF 书签里各章与前言并列
      sec.querySelectorAll('h2, h3, h4, h5, h6').forEach(h => {
        const up = document.createElement('h' + (Number(h.tagName[1]) - 1));
        for (const a of h.attributes) up.setAttribute(a.name, a.value);
        up.innerHTML = h.innerHTML;
        h.replaceWith(up);
      });
    }
    const h = sec.querySelector('h1, h2');
    const imgs = [...sec.querySelectorAll('img')].filter(im => i > 0 || !im.closest('.toctree-wrapper'));
    chapters.push({doc: entry.doc, anchor, title: h ? h.textContent.replace(/#$/, '').trim() : '',
                   images: imgs.length, broken: imgs.filter(im => !im.complete || !im.naturalWidth).length});
  });
  const nav = document.createElement('nav');
  nav.id = 'pdf-toc';
  let html = '<h1>目录</h1><ol>';
  let part = null;
  toc.forEach((entry, i) => {
    const c = chapters[i];
    if (entry.part && entry.part !== part) { part = entry.part; html += `<li class="part">${part}</li>`; }
    if (c.missing) return;
    html += `<li><a href="#${c.anchor}">${c.title}</a><span class="dots"></span>` +
            `<span class="page" data-doc="${entry.doc}">000</span></li>`;
  });
  nav.innerHTML = html + '</ol>';
  article.insertBefore(nav, article.firstChild);
  return chapters;
}"""

OVERFLOW_JS = """() => [...document.querySelectorAll('article pre, article table')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => (e.closest('section[id]') || {}).id + ': ' + e.textContent.slice(0, 80))"""


def toc_entries() -> list[dict]:
    """_toc.yml 中的全部文档（前言、各部分的章节），带所属部分的标题。"""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    entries = [{"doc": toc["root"], "part": None}]
    for part in toc.get("parts", [{"chapters": toc.get("chapters", [])}]):
        for chapter in part["chapters"]:
            entries.append({"doc": chapter["file"], "part": part.get("caption")})
    return entries


def build_singlehtml(jupyter_book: str) -> None:
    """与 HTML 书同一次执行：缓存命中时不会执行任何一章；若执行了就说明缓存失效，报错。"""
    cmd = [jupyter_book, "build", "-W", "-n", "--keep-going", "--builder", "singlehtml", str(ROOT)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    log = proc.stdout + proc.stderr
    (BUILD / "singlehtml.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0:
        sys.exit(f"singlehtml 构建失败，见 _build/singlehtml.log / singlehtml build failed\n{log[-3000:]}")
    executed = re.findall(r"(\S+\.ipynb): Executing notebook", log)
    if executed:
        sys.exit(f"singlehtml 又执行了笔记本（执行缓存没有命中，先 make book）/ re-executed: {executed}")


def chapter_pages(pdf: bytes, chapters: list[dict]) -> dict[str, int]:
    """从 PDF 书签读出每章第一页的页码（1 起）。"""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, int] = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            title = item.title.strip()
            for c in chapters:
                if c.get("title") and c["doc"] not in found and title == c["title"]:
                    found[c["doc"]] = reader.get_destination_page_number(item) + 1

    walk(reader.outline)
    return found


def print_book(out: Path, executable: str) -> dict:
    from playwright.sync_api import sync_playwright

    entries = toc_entries()
    # singlehtml 把根文档（book/preface）写进子文件夹，里面的路径却是相对于输出根目录的：复制到根目录再打开
    shutil.copy2(SINGLE / f"{entries[0]['doc']}.html", SINGLE / PRINT_PAGE)
    report: dict = {}
    with serve(SINGLE) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=chromium.ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            log = PageLog(page)
            # 单页 HTML 没有搜索索引，印刷版也不需要搜索
            page.route("**/searchindex.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
            page.goto(f"{url}/{PRINT_PAGE}", wait_until="networkidle", timeout=120_000)
            wait_for_math(page, timeout=60_000)
            page.add_style_tag(content=PRINT_CSS)
            page.emulate_media(media="print")
            chapters = page.evaluate(PREPARE_JS, entries)
            missing = [c["doc"] for c in chapters if c.get("missing")]
            if missing or log.problems():
                sys.exit(f"单页 HTML 不完整 / singlehtml incomplete: missing={missing} problems={log.problems()[:5]}")
            # 版心宽度 = A4 宽 210mm − 左右页边距；在这个宽度下检查代码块和表格都不超出
            page.set_viewport_size({"width": round((210 - 32) / 25.4 * 96), "height": 1100})
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                sys.exit("这些代码块或表格超出版心 / too wide for the page:\n" + "\n".join(overflow))
            options = dict(
                format="A4",
                margin=MARGIN,
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
            )
            first = page.pdf(**options)
            pages = chapter_pages(first, chapters)
            lost = [c["doc"] for c in chapters if c["doc"] not in pages]
            if lost:
                sys.exit(f"PDF 书签里找不到这些章 / no bookmark for: {lost}")
            page.evaluate(
                """(pages) => document.querySelectorAll('#pdf-toc .page')
                .forEach(e => { e.textContent = pages[e.dataset.doc]; })""",
                pages,
            )
            out.write_bytes(page.pdf(**options))
            report = {"chapters": [{**c, "page": pages[c["doc"]]} for c in chapters]}
        finally:
            browser.close()
    return report


def link_from_front_page(pdf: Path) -> None:
    """HTML 书里放一份 PDF，并在前言页的占位处写上下载链接。"""
    if not FRONT_PAGE.exists():
        return
    shutil.copy2(pdf, HTML / PDF_NAME)
    size = pdf.stat().st_size / 1e6
    link = (
        f'<div id="book-pdf" class="admonition tip"><p>整本书的 PDF（A4，{size:.1f} MB）：'
        f'<a class="reference download" href="../{PDF_NAME}" download>下载 {PDF_NAME}</a></p></div>'
    )
    text = FRONT_PAGE.read_text(encoding="utf-8")
    new, n = PDF_SLOT.subn(link, text, count=1)
    if n == 0:
        sys.exit(f'{FRONT_PAGE} 里没有 <div id="book-pdf"> 占位（book/preface.md）')
    FRONT_PAGE.write_text(new, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=BUILD / "pdf" / PDF_NAME)
    ap.add_argument("--jupyter-book", default=str(Path(sys.executable).with_name("jupyter-book")))
    args = ap.parse_args()
    executable = chromium.find()
    if executable is None:
        sys.exit(f"需要 Chromium 打印 PDF / Chromium is needed: {chromium.INSTALL_HINT}")
    if not (HTML / "index.html").exists():
        sys.exit("先构建 HTML 书 / build the HTML book first: make book")
    start = time.perf_counter()
    build_singlehtml(args.jupyter_book)
    built = time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = print_book(args.out, executable)
    link_from_front_page(args.out)
    report.update(seconds_singlehtml=round(built - start, 1), seconds_print=round(time.perf_counter() - built, 1))
    args.out.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"[pdf] {args.out.relative_to(ROOT)}: {args.out.stat().st_size / 1e6:.1f} MB, "
        f"singlehtml {report['seconds_singlehtml']} s, 打印 {report['seconds_print']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
