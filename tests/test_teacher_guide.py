"""教师指南（book/teacher.md）：页面上给出的命令都真的存在，提到的笔记本和幻灯片都有；它只在教师版里。"""

import re
import shlex
from pathlib import Path

import pytest

from browser import require_built
from lenet import cli

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "book" / "teacher.md").read_text(encoding="utf-8")
NOTEBOOKS = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}


def _code_spans() -> list[str]:
    return re.findall(r"`([^`\n]+)`", PAGE) + re.findall(r"^(?:make|python) .*$", PAGE, re.M)


def test_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, re.M))
    used = {m for span in _code_spans() for m in re.findall(r"\bmake ([\w-]+)", span)}
    assert {"warm", "slides", "pdf", "student"} <= used
    assert used <= targets, used - targets


def test_lenet_commands_parse():
    commands = {span.split("#")[0].strip() for span in _code_spans() if span.startswith("python -m lenet ")}
    assert any(c.startswith("python -m lenet warm") for c in commands)
    parser = cli.build_parser()
    for command in commands:
        parser.parse_args(shlex.split(command)[3:])  # 选项或子命令不存在时 argparse 以 SystemExit 退出


def test_notebooks_and_docs_named_exist():
    named = set(re.findall(r"`(\d\d_\w+)`", PAGE)) | set(re.findall(r"\{doc\}`\.\./notebooks/(\w+)`", PAGE))
    assert len(named) >= 10
    assert named <= NOTEBOOKS, named - NOTEBOOKS
    for doc in re.findall(r"\{doc\}`(\w+)`", PAGE):
        assert (ROOT / "book" / f"{doc}.md").is_file(), doc


def test_schedule_has_eight_sessions_covering_chapters_1_to_7():
    rows = re.findall(r"^\| (\d+) \|(.*)$", PAGE, re.M)
    assert [int(n) for n, _ in rows] == list(range(1, 9))
    for stem in sorted(NOTEBOOKS)[:7]:
        assert any(stem in row for _, row in rows), stem


@pytest.mark.book
def test_teacher_page_only_in_teacher_edition():
    require_built(ROOT / "_build" / "student" / "html" / "index.html", "make student")
    assert (ROOT / "_build" / "html" / "book" / "teacher.html").is_file()
    assert not (ROOT / "_build" / "student" / "html" / "book" / "teacher.html").exists()
    student_nav = (ROOT / "_build" / "student" / "html" / "book" / "preface.html").read_text(encoding="utf-8")
    assert "teacher.html" not in student_nav
