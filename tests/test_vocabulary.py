"""全书一套术语：读者看到的文字里不出现已废弃的叫法（源文件，以及构建好的书和幻灯片）。

来源笔记本统一叫“原笔记本”（前言和第 1 章定义为“原 AI Studio 笔记本（下称“原笔记本”）”）；
“种子”只用于随机种子（random seed）。其余统一的写法见术语表（book/glossary.md）。
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser import require_built

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BOOK_PAGES = sorted((ROOT / "book").glob("*.md"))
HTML = ROOT / "_build" / "html"
SLIDES = ROOT / "_build" / "slides"

# 废弃的叫法 → 应当写成什么
RETIRED = {
    "种子笔记本": "原笔记本",
    "种子配方": "原笔记本的配置",
    "权值共享": "权重共享",
}
RENDERED_BANNED = "种子笔记本"


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _prose(text: str) -> str:
    """Markdown 里给人读的文字：去掉代码块、行内代码、数学公式和链接地址。"""
    text = re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.S | re.M)  # 围栏代码块（也去掉指令的选项行）
    text = re.sub(r"^ {4}.*$", "", text, flags=re.M)  # 缩进代码块
    text = re.sub(r"`[^`\n]*`", "", text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", "", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return text


def _markdown_sources():
    for path in NOTEBOOKS:
        for i, cell in enumerate(_cells(path)):
            if cell["cell_type"] == "markdown":
                yield f"{path.name} 第 {i} 格", "".join(cell["source"])
    for path in BOOK_PAGES:
        yield path.name, path.read_text(encoding="utf-8")


def _directive_bodies(text: str) -> str:
    """sphinx-exercise 的题目和答案写在围栏指令里，它们的正文也是给读者看的。"""
    return "\n".join(
        m.group(2) for m in re.finditer(r"^```\{(exercise|solution)[^}]*\}[^\n]*\n(.*?)^```", text, flags=re.S | re.M)
    )


@pytest.mark.parametrize("path", NOTEBOOKS + BOOK_PAGES, ids=lambda p: p.name)
def test_no_retired_terms_in_sources(path):
    """章节（全部单元格，含代码和讲者提示）和书页里都不用废弃的叫法。"""
    if path.suffix == ".ipynb":
        text = "\n".join("".join(c["source"]) for c in _cells(path))
    else:
        text = path.read_text(encoding="utf-8")
    found = {old: new for old, new in RETIRED.items() if old in text}
    assert not found, f"{path.name}：把 {list(found)} 改成 {list(found.values())}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_sigmoid_is_capitalised_in_prose(path):
    """正文里写 Sigmoid（术语表的写法）；代码里的 F.sigmoid、activation="sigmoid" 不算。"""
    bad = []
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        prose = _prose(source) + "\n" + _prose(_directive_bodies(source))
        bad += [f"第 {i} 格：{m.group(0)}" for m in re.finditer(r"(?<![A-Za-z_.])(sigmoid)(?![A-Za-z_(])", prose)]
    assert not bad, bad


def test_prose_helper_keeps_only_prose():
    text = "用 Sigmoid。`F.sigmoid(x)` 和 $\\mathrm{softmax}$\n```python\nx = F.softmax(z)\n```\n见[这里](#ref-adam)"
    assert "sigmoid" not in _prose(text) and "softmax" not in _prose(text)
    assert "Sigmoid" in _prose(text) and "这里" in _prose(text)
    assert "题目 softmax" in _directive_bodies("```{exercise}\n:label: ex-1\n\n题目 softmax\n```\n")


@pytest.mark.parametrize("where, text", list(_markdown_sources()), ids=lambda v: v if len(v) < 40 else "")
def test_table_headers_are_words_not_identifiers(where, text):
    """读者看到的表头是中文（或通用的缩写），不是 Python 标识符。"""
    lines = text.splitlines()
    for header, rule in zip(lines, lines[1:]):
        if header.startswith("|") and re.fullmatch(r"\|(\s*:?-{3,}:?\s*\|)+", rule.strip()):
            cells = [c.strip() for c in header.strip().strip("|").split("|")]
            bad = [c for c in cells if re.fullmatch(r"`[^`]+`|[a-z]+(_[a-z0-9]+)+", c)]
            assert not bad, f"{where}：表头 {bad}"


TEXT_SUFFIXES = {".html", ".js", ".json", ".ipynb", ".md", ".txt"}  # 页面、搜索索引、可下载的笔记本


def _built_pages(root: Path):
    return [
        p
        for p in root.rglob("*")
        if p.suffix in TEXT_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") or part in ("libs", "node_modules") for part in p.relative_to(root).parts)
    ]


@pytest.mark.book
@pytest.mark.parametrize("root, command", [(HTML, "make book"), (SLIDES, "make slides")], ids=["book", "slides"])
def test_rendered_pages_never_say_seed_notebook(root, command):
    require_built(root / "index.html", command)
    hits = [
        str(p.relative_to(root))
        for p in _built_pages(root)
        if RENDERED_BANNED in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert not hits, f"“{RENDERED_BANNED}”出现在：{hits}"


@pytest.mark.book
def test_rendered_book_interface_is_chinese():
    """书的界面文字（能配置的部分）是中文：代码折叠按钮、答案的折叠提示、搜索框、侧栏按钮、标题链接、版权行。"""
    require_built(HTML / "index.html", "make book")
    page = (HTML / "notebooks" / "01_task.html").read_text(encoding="utf-8")
    english = [
        "Show code cell",
        "Hide code cell",
        "Click to show",
        "Click to hide",
        "Search this book",
        "Toggle primary sidebar",
        "Toggle secondary sidebar",
        "Link to this heading",
        "Color mode",
        "System Settings",
        "Copyright",
    ]
    assert not [e for e in english if e in page]
    for chinese in ("显示代码", "点击展开", "搜索本书", "显示或隐藏章节目录", "链接到此标题", "颜色模式"):
        assert chinese in page, chinese


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_hide_input_is_used(path):
    """_config.yml 把折叠按钮写成“显示代码 / 隐藏代码”：这只对 hide-input 对；要用 hide-output 等先改那里。"""
    tags = {t for c in _cells(path) for t in c.get("metadata", {}).get("tags", []) if t.startswith("hide-")}
    assert tags <= {"hide-input"}, tags


GLOSSARY_TERMS = [  # 正文用到、术语表必须解释的词（issue 11 的清单加上本书新引入的）
    "原笔记本",
    "互相关",
    "权重共享",
    "下采样",
    "部分连接",
    "连接数",
    "径向基函数",
    "Sigmoid",
    "饱和",
    "梯度消失",
    "独热编码",
    "有限差分",
    "梯度检验",
    "动量",
    "偏差修正",
    "正则化",
    "权重衰减",
    "AdamW",
    "学习率调度",
    "预热",
    "退火",
    "单周期学习率",
    "标签平滑",
    "最大后验",
    "置信度",
    "精确率",
    "召回率",
    "标准误差",
    "随机种子",
    "验证集",
    "留出验证集",
    "训练模式 / 评估模式",
    "质心",
    "数据并行",
    "进程编号",
    "全归约",
]
REFERENCE_LABELS = [
    "ref-lecun1989",
    "ref-lecun1998",
    "ref-mnist",
    "ref-paddle",
    "ref-adam",
    "ref-adamw",
    "ref-onecycle",
    "ref-labelsmoothing",
    "ref-goodfellow",
    "ref-d2l",
    "ref-goyal2017",
]


def test_glossary_defines_every_term_the_chapters_use():
    rows = [
        line.split("|")
        for line in (ROOT / "book" / "glossary.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| 中文")
    ]
    terms = [r[1].strip() for r in rows]
    assert len(terms) == len(set(terms)), "术语表里有重复的词条"
    assert not [t for t in GLOSSARY_TERMS if t not in terms]
    assert all(r[3].strip() for r in rows), "每个词条都要有释义"


def test_every_reference_has_a_link_target():
    """各章用 [文字](#ref-xxx) 链接参考文献；每一条都要有固定的标签。"""
    text = (ROOT / "book" / "references.md").read_text(encoding="utf-8")
    labels = re.findall(r"^\((ref-[a-z0-9]+)\)=$", text, flags=re.M)
    assert labels == sorted(set(labels), key=labels.index) and set(labels) == set(REFERENCE_LABELS)
    used = {m for path in NOTEBOOKS for m in re.findall(r"\(#(ref-[a-z0-9]+)\)", path.read_text(encoding="utf-8"))}
    assert used <= set(labels), used - set(labels)
