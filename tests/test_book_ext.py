"""book/_ext 的本地 Sphinx 扩展：进度条输出的回放（terminal_streams）。"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import terminal_streams  # noqa: E402
from terminal_streams import replay  # noqa: E402


def _paddle_progress(lines):
    """像 paddle.hapi.ProgressBar 在 Jupyter 里那样刷新：退格盖掉上一次的宽度，回车，再写（短了补空格）。"""
    out, width = "", 0
    for line in lines:
        out += "\b" * width + "\r" + line.ljust(width)
        width = len(line.ljust(width))
    return out + "\n"


def test_progress_bar_leaves_only_the_last_state():
    text = "Epoch 1/5\n" + _paddle_progress(
        ["step  10/938 - loss: 0.9012 - ETA: 1:23", "step 500/938 - loss: 0.31 - ETA: 9s", "step 938/938 - loss: 0.2"]
    )
    assert replay(text) == "Epoch 1/5\nstep 938/938 - loss: 0.2\n"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("plain text  \nsecond", "plain text\nsecond"),  # 没有控制字符：只去掉行尾空白
        ("ab\bc", "ac"),  # 退格删掉前一个字符
        ("a\b\b\bbc", "bc"),  # 行首多余的退格什么也不删
        ("x\n\by", "x\ny"),  # 退格不跨行
        ("12345\rab", "ab345"),  # 回车后写得短：原行剩下的部分仍然可见（与终端、Jupyter 相同）
        ("old line\r\rnew line", "new line"),
        ("abc\r\ndef\r\n", "abc\ndef\n"),  # \r\n 是换行，不是“清空这一行”
        ("first\rsecond\nkeep", "second\nkeep"),  # 回车只影响所在的行
    ],
)
def test_replay_matches_the_jupyter_front_end(text, shown):
    assert replay(text) == shown


def test_clean_rewrites_only_blocks_with_control_characters():
    nodes = pytest.importorskip("docutils.nodes")  # 兼容环境不构建书，没有装 docutils
    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document

    doctree = new_document("test", get_default_settings(Parser))
    progress = nodes.literal_block("", "loss 0.9\b\b\b\b\b\b\b\b\rloss 0.2")
    plain = nodes.literal_block("", "x = 1  ")
    doctree += [progress, plain]
    terminal_streams._clean(None, doctree)
    assert progress.astext() == "loss 0.2" and progress.rawsource == "loss 0.2"
    assert plain.astext() == "x = 1  "  # 没有控制字符的块原样保留
