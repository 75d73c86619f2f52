"""slides/export.py 里不需要浏览器的部分：MyST 提示框在幻灯片上改写成引用块。"""

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

# slides/export.py 读书的执行缓存（jupyter-cache），它只装在主环境：Paddle 2.6 的兼容环境里跳过
pytest.importorskip("jupyter_cache", reason="书的构建工具只在主环境（requirements.txt）里")

ROOT = Path(__file__).resolve().parents[1]


def _export():
    spec = importlib.util.spec_from_file_location("slides_export", ROOT / "slides" / "export.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("slides_export", module)
    spec.loader.exec_module(module)
    return module


def test_optional_admonition_becomes_a_quote_on_the_slides():
    export = _export()
    text = "### 选读：标题\n\n:::{admonition} 选读：标题\n:class: optional\n第一行。\n第二行。\n:::\n\n$$x$$"
    out = export.admonitions_as_quotes(text)
    assert ":::" not in out and ":class:" not in out
    assert "\n> 第一行。\n> 第二行。\n" in out  # 标题已是这一格的小节标题：不重复
    assert out.startswith("### 选读：标题\n\n> 第一行。") and out.endswith("\n\n$$x$$")
    alone = export.admonitions_as_quotes(":::{admonition} 选读：另一个\n:class: optional\n正文\n:::")
    assert alone == "> **选读：另一个**\n>\n> 正文"


def test_no_admonition_fence_reaches_any_deck():
    """每一章的 Markdown 经 prepare 之后，幻灯片上不再出现 ":::{admonition}"。"""
    export = _export()
    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    notebooks = {path: nbformat.read(path, as_version=4) for path in paths}
    # 图号本来从构建好的书读出；这里不构建书，给每个图名一个占位的图号
    numbers = {
        c.metadata["mystnb"]["figure"]["name"]: "图 0.0"
        for nb in notebooks.values()
        for c in nb.cells
        if "figure" in c.metadata.get("mystnb", {})
    }
    fenced = 0
    for path, nb in notebooks.items():
        fenced += sum(":::{admonition}" in c.source for c in nb.cells if c.cell_type == "markdown")
        nb, _ = export.prepare(nb, numbers, path)
        left = [c.source[:60] for c in nb.cells if c.cell_type == "markdown" and ":::{admonition}" in c.source]
        assert not left, (path.name, left)
    assert fenced >= 4  # 第 2、5 章的选读
