"""把各章导出成离线可用的 reveal.js 幻灯片（含演讲者备注），外加索引页和可选的 PDF。

用法（make slides 会先构建书，再调用本脚本）：
    python slides/export.py [--pdf] [--out _build/slides] [notebooks/NN_*.ipynb ...]

各章的输出取自书构建时的执行缓存（jupyter-cache，_build/.jupyter_cache），所以幻灯片上的
图和输出与书完全一致，也不必再执行一遍；笔记本改过而书没有重建时会报错。reveal.js、MathJax 2、require.js、jQuery 来自
slides/node_modules（npm ci，版本锁定在 package-lock.json），复制到输出目录的 libs/ 下，
每个幻灯片用相对路径引用它们：离线、file:// 或任意静态服务器都能打开。
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from nbconvert import SlidesExporter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tools"))
import chromium  # noqa: E402  tools/chromium.py：Chromium 的查找与启动参数（测试和 Makefile 共用）

NODE_MODULES = HERE / "node_modules"
JUPYTER_CACHE = ROOT / "_build" / ".jupyter_cache"
HTML_BOOK = ROOT / "_build" / "html"
# 书里一张图的名字和图号：<figure ... id="fig-06-curves"> ... <span class="caption-number">图 6.2 </span>
FIGURE_NUMBER = re.compile(
    r'<figure\b[^>]*\bid="([^"]+)"[^>]*>(?:(?!</figure>).)*?<span class="caption-number">([^<]*)</span>', re.S
)
# MyST 的图引用：{numref}`图 %s <fig-06-curves>` 或 {numref}`fig-06-curves`
NUMREF = re.compile(r"\{numref\}`(?:([^`<]*)<([^`>]+)>|([^`<>]+))`")
LIBS = "libs"

# (node_modules 中的来源, libs/ 中的位置)；只复制幻灯片用得到的部分
ASSET_FILES = [
    ("reveal.js/dist/reveal.js", "reveal.js/dist/reveal.js"),
    ("reveal.js/dist/reveal.css", "reveal.js/dist/reveal.css"),
    ("reveal.js/dist/theme/white.css", "reveal.js/dist/theme/white.css"),
    ("reveal.js/plugin/notes/notes.js", "reveal.js/plugin/notes/notes.js"),
    ("reveal.js/LICENSE", "reveal.js/LICENSE"),
    ("requirejs/require.js", "require.js"),
    ("jquery/dist/jquery.min.js", "jquery.min.js"),
    ("mathjax/MathJax.js", "mathjax/MathJax.js"),
    ("mathjax/config/TeX-AMS_CHTML-full.js", "mathjax/config/TeX-AMS_CHTML-full.js"),
    ("mathjax/config/Safe.js", "mathjax/config/Safe.js"),
    ("mathjax/LICENSE", "mathjax/LICENSE"),
]
ASSET_DIRS = [
    "reveal.js/dist/theme/fonts",  # white 主题的本地字体（默认的 simple 主题会去 Google 取字体）
    "mathjax/extensions",
    "mathjax/jax/input/TeX",
    "mathjax/jax/element",
    "mathjax/jax/output/CommonHTML",
    "mathjax/fonts/HTML-CSS/TeX/woff",
    "mathjax/fonts/HTML-CSS/TeX/otf",
    "mathjax/localization",
]
# 页面加载的远程资源（<a href> 链接不算）
REMOTE_LOAD = re.compile(
    r"""<(?:script|img|iframe|source)\b[^>]*\bsrc\s*=\s*["']?https?://"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?https?://|@import\s+(?:url\()?\s*["']?https?://"""
    r"""|url\(\s*["']?https?://|\bfrom\s+["']https?://|\bimport\(\s*["']https?://""",
    re.IGNORECASE,
)


def copy_assets(out: Path) -> None:
    if not NODE_MODULES.is_dir():
        sys.exit(
            f"缺少 {NODE_MODULES}：先在 slides/ 下运行 npm ci（make slides 会自动运行）\n"
            f"missing {NODE_MODULES}: run `npm ci` in slides/ first"
        )
    libs = out / LIBS
    for src, dst in ASSET_FILES:
        (libs / dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NODE_MODULES / src, libs / dst)
    for d in ASSET_DIRS:
        shutil.copytree(NODE_MODULES / d, libs / d, dirs_exist_ok=True)


def exporter() -> SlidesExporter:
    prefix = LIBS  # 幻灯片与 libs/ 在同一目录
    return SlidesExporter(
        extra_template_basedirs=[str(HERE / "templates")],
        template_name="reveal_offline",
        reveal_url_prefix=f"{prefix}/reveal.js",
        reveal_theme="white",
        require_js_url=f"{prefix}/require.js",
        jquery_url=f"{prefix}/jquery.min.js",
        mathjax_url=f"{prefix}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        language_code="zh",
        embed_images=True,
    )


def executed(path: Path):
    """笔记本加上书构建时缓存的输出。"""
    try:
        _, nb = get_cache(str(JUPYTER_CACHE)).merge_match_into_file(str(path))
    except KeyError:
        sys.exit(
            f"{path} 没有执行缓存（笔记本改过或书还没构建）：先运行 make book\n"
            f"{path} has no cached execution: run `make book` first"
        )
    return nb


# MyST 的冒号围栏提示框（选读用它）：幻灯片的 Markdown 渲染器不认识，会把 ":::{admonition}" 原样显示出来
ADMONITION = re.compile(
    r"^:::\{admonition\}[ \t]*(?P<title>[^\n]*)\n(?:[ \t]*:[\w-]+:[^\n]*\n)*(?P<body>.*?)\n?^:::[ \t]*$",
    re.S | re.M,
)


def admonitions_as_quotes(text: str) -> str:
    """把 ``:::{admonition} 标题 … :::`` 改写成 Markdown 引用块，幻灯片上照常显示。

    标题加粗放在第一行；同一格里已有同名标题（如 ``### 选读：…``）时不再重复。
    """

    def quote(m: re.Match) -> str:
        title = m["title"].strip()
        heading = re.search(rf"^#+ {re.escape(title)}[ \t]*$", text, re.M)
        lines = ([] if heading else [f"**{title}**", ""]) + m["body"].strip("\n").splitlines()
        return "\n".join(f"> {line}".rstrip() for line in lines)

    return ADMONITION.sub(quote, text)


def figure_numbers(html_dir: Path = HTML_BOOK) -> dict[str, str]:
    """图的名字（mystnb.figure.name）→ 书中的图号（“图 6.2”），从构建好的 HTML 书读出，与书一致。"""
    numbers = {}
    for page in sorted((html_dir / "notebooks").glob("*.html")):
        numbers.update(FIGURE_NUMBER.findall(page.read_text(encoding="utf-8")))
    return {name: " ".join(label.split()) for name, label in numbers.items()}


def numref(match: re.Match, numbers: dict[str, str], path: Path) -> str:
    """{numref}`图 %s <名字>` → “图 6.2”（幻灯片不经过 Sphinx，引用要换成书里的图号）。"""
    if match.group(2):
        template, name = match.group(1).strip(), match.group(2).strip()
    else:  # 没写标题时 Sphinx 用 numfig_format 的“图 %s”
        template, name = "图 %s", match.group(3).strip()
    if name not in numbers:
        sys.exit(
            f"{path.name}：书里没有图 {name}（书还没按这一版笔记本构建）：先运行 make book\n"
            f"{path.name}: figure {name} is not in the built book: run `make book` first"
        )
    return template.replace("%s", numbers[name].split()[-1])


def prepare(nb, numbers: dict[str, str], path: Path) -> tuple[object, int]:
    """去掉 stderr 输出（Paddle 的提示不上幻灯片），提示框改成引用块；图的引用换成图号，图下写图号和图题；
    返回笔记本和预计的幻灯片数。"""
    slides = 0
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        slides += kind in ("slide", "subslide")
        if cell.cell_type == "markdown":
            cell.source = admonitions_as_quotes(cell.source)
            cell.source = NUMREF.sub(lambda m: numref(m, numbers, path), cell.source)
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
            figure = cell.metadata.get("mystnb", {}).get("figure", {})
            if figure.get("name") in numbers and any("image/png" in o.get("data", {}) for o in cell.outputs):
                caption = f"**{numbers[figure['name']]}**　{figure.get('caption', '')}"
                cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/markdown": caption}))
    return nb, slides


def title_of(nb) -> str:
    first = "".join(nb.cells[0].source).splitlines()[0] if nb.cells else ""
    return first.lstrip("# ").strip()


def write_index(out: Path, decks: list[dict]) -> Path:
    rows = "\n".join(
        f'<li><a href="{d["html"]}">{html.escape(d["title"])}</a>'
        f'<span class="meta">{d["slides"]} 张'
        + (f' · <a href="{d["pdf"]}">PDF</a>' if d.get("pdf") else "")
        + "</span></li>"
        for d in decks
    )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>LeNet-5 手写数字识别 · 教师幻灯片</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #222; }}
li {{ margin: .6rem 0; font-size: 1.15rem; }} .meta {{ color: #777; margin-left: .8rem; font-size: .95rem; }}
kbd {{ border: 1px solid #bbb; border-radius: 3px; padding: 0 .3rem; }}
</style></head>
<body>
<h1>LeNet-5 手写数字识别 · 教师幻灯片</h1>
<p>每章一套 reveal.js 幻灯片，由书中同一个笔记本导出，不需要网络。
按 <kbd>S</kbd> 打开演讲者视图（含讲者提示），<kbd>Esc</kbd> 总览，<kbd>F</kbd> 全屏；
在地址后加 <code>?print-pdf</code> 可用浏览器打印成 PDF。</p>
<ol id="decks">
{rows}
</ol>
</body></html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


# ------------------------------------------------------------ PDF（无头 Chromium）


def print_pdf(deck: Path, pdf: Path, executable: str, timeout_ms: int = 60_000) -> int:
    """用 reveal.js 的 ?print-pdf 版式打印；返回页数。模板在排版和公式都完成后给 <html> 加类名。"""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=chromium.ARGS)
        try:
            page = browser.new_page()
            page.goto(deck.resolve().as_uri() + "?print-pdf", wait_until="load", timeout=timeout_ms)
            page.wait_for_selector("html.slides-print-ready", state="attached", timeout=timeout_ms)
            pages = page.locator(".reveal .pdf-page").count()
            # 指定页码范围：否则 Chromium 会在末尾多打一张空白页
            page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True, page_ranges=f"1-{pages}")
        finally:
            browser.close()
    return pages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "_build" / "slides")
    ap.add_argument("--pdf", action="store_true", help="同时打印 PDF（需要 Chromium）")
    ap.add_argument("--chromium", default=chromium.find(), help="Chromium 的路径（默认见 tools/chromium.py）")
    args = ap.parse_args()
    if args.pdf and not args.chromium:
        ap.error(f"--pdf 需要 Chromium：{chromium.INSTALL_HINT}")

    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    exp = exporter()
    decks, failed = [], False
    numbers = figure_numbers()
    for path in notebooks:
        start = time.perf_counter()
        nb, count = prepare(executed(path), numbers, path)
        body, _ = exp.from_notebook_node(nb, resources={"metadata": {"name": title_of(nb)}})
        deck = out / f"{path.stem}.slides.html"
        deck.write_text(body, encoding="utf-8")
        remote = sorted({m.group(0)[:100] for m in REMOTE_LOAD.finditer(body)})
        entry = {"html": deck.name, "title": title_of(nb), "slides": count}
        if remote:
            failed = True
            print(f"错误 ERROR: {deck.name} 仍从网络加载资源:", *remote, sep="\n    ")
        if args.pdf:
            pages = print_pdf(deck, deck.with_name(f"{path.stem}.pdf"), args.chromium)
            entry.update(pdf=f"{path.stem}.pdf", pdf_pages=pages)
        decks.append(entry)
        print(
            f"[slides] {deck.name}: {count} 张, {time.perf_counter() - start:.1f} s"
            + (f", PDF {entry['pdf_pages']} 页" if args.pdf else ""),
            flush=True,
        )
    write_index(out, decks)
    (out / "decks.json").write_text(json.dumps(decks, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
