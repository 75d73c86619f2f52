"""让单元格的文本输出在书里与在 Jupyter 里一样：按终端语义处理退格（\\b）和回车（\\r）。

Paddle 的进度条在 Jupyter 里用 \\b 和 \\r 原地刷新；myst-nb 原样写进 HTML，浏览器把控制字符
显示成一串方框。这里把每个输出文本块“回放”一遍，只留下终端上最后能看到的内容。
单元测试：tests/test_book_ext.py。
"""

import re

CONTROL = re.compile(r"[\b\r]")
_CHAR_THEN_BACKSPACE = re.compile(r"[^\n]\x08")


def replay(text: str) -> str:
    """与 Jupyter 前端（fixBackspace、fixCarriageReturn）相同：

    - ``\\b`` 删掉它前面的一个字符（不跨行；行首多余的 ``\\b`` 丢掉）；
    - ``\\r\\n`` 就是换行；其余的 ``\\r`` 回到行首，后面的文字覆盖这一行，比原来短时原行剩下的部分仍然可见；
    - 每行去掉行尾空白（Paddle 的进度条用空格盖住上一次更长的内容）。
    """
    previous = None
    while previous != text:
        previous, text = text, _CHAR_THEN_BACKSPACE.sub("", text)
    text = re.sub(r"\r+\n", "\n", text.replace("\b", ""))
    lines = []
    for raw in text.split("\n"):
        line = ""
        for part in raw.split("\r"):
            line = part + line[len(part) :]
        lines.append(line.rstrip())
    return "\n".join(lines)


def _clean(app, doctree):
    from docutils import nodes

    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if CONTROL.search(text):
            block.children = [nodes.Text(replay(text))]
            block.rawsource = block.astext()


def setup(app):
    app.connect("doctree-read", _clean)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
