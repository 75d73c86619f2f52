"""Markdown 表格：章节和基准报告里的表都由这里排版（书按 GFM 渲染，终端里也好读）。"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def markdown_table(header: Sequence[str], rows: Iterable[Sequence], align: str | None = None) -> str:
    """把表头和若干行排成一张 Markdown 表格，返回字符串。

    ``align`` 每列一个字符：``l`` 左对齐、``r`` 右对齐、``c`` 居中（默认全部左对齐）。
    单元格用 ``str()`` 转成文字；单元格里的 ``|`` 会被转义。在笔记本里用
    ``IPython.display.Markdown(markdown_table(...))`` 显示。
    """
    header = [str(h) for h in header]
    align = align or "l" * len(header)
    if len(align) != len(header):
        raise ValueError(f"align 有 {len(align)} 个字符，表头有 {len(header)} 列")
    rules = {"l": "---", "r": "---:", "c": ":---:"}
    lines = [_row(header), _row(rules[a] for a in align)]
    for row in rows:
        cells = [str(c) for c in row]
        if len(cells) != len(header):
            raise ValueError(f"这一行有 {len(cells)} 列，表头有 {len(header)} 列：{cells}")
        lines.append(_row(cells))
    return "\n".join(lines)


def _row(cells) -> str:
    return "| " + " | ".join(c.replace("|", r"\|") for c in cells) + " |"
