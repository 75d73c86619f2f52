"""让单元格的文本输出在书里与在 Jupyter 里一样：按终端语义处理退格（\\b）和回车（\\r）。

Paddle 的进度条在 Jupyter 里用 \\b 和 \\r 原地刷新；myst-nb 原样写进 HTML，浏览器把控制字符
显示成一串方框。这里把每个输出文本块“回放”一遍，只留下终端上最后能看到的内容。
"""

import re

from docutils import nodes

CONTROL = re.compile(r"[\b\r]")


def replay(text: str) -> str:
    """与 Jupyter 前端相同：\r 清空当前行，\b 删掉前一个字符。"""
    lines = []
    for raw in text.split("\n"):
        line = []
        for part in re.split(r"([\b\r])", raw):
            if part == "\r":
                line = []
            elif part == "\b":
                line = line[:-1]
            else:
                line.extend(part)
        lines.append("".join(line).rstrip())
    return "\n".join(lines)


def _clean(app, doctree):
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if CONTROL.search(text):
            block.children = [nodes.Text(replay(text))]
            block.rawsource = block.astext()


def setup(app):
    app.connect("doctree-read", _clean)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
