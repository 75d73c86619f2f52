"""学生版（make student → _build/student/html）：每道练习的答案都不在了，教师版（make book → _build/html）里都在。

答案的文字取自笔记本本身（book/_ext/student_edition.py 的 split_solutions，构建时去掉可下载笔记本里的答案也用它）。
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

from browser import PageLog, offline_browser, require_built, serve, wait_for_math

ROOT = Path(__file__).resolve().parents[1]
TEACHER = ROOT / "_build" / "html"
STUDENT = ROOT / "_build" / "student" / "html"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# 书的构建工具（Sphinx、docutils）只装在主环境：Paddle 2.6 的兼容环境里跳过这些测试
pytest.importorskip("docutils", reason="书的构建工具只在主环境（requirements.txt）里")
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from student_edition import split_solutions  # noqa: E402

# 段落之间、代码块的围栏、角色（{numref}`…`）、公式和 Markdown 标记处断开；行内代码的文字照原样显示，只去掉反引号
_MARKUP = re.compile(r"\n\s*\n|`{3,}[\w-]*|\{[\w:-]+\}`[^`]*`|\$\$?[^$]*\$\$?|[*\[\]()<>{}|#\\$]")
_SPACE = re.compile(r"\s+")


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _exercises(cells: list[dict]) -> list[str]:
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return re.findall(r"\{exercise(?:-start)?\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*?:label: (\S+)", text)  # 选项里的 :label:


def _fragment(markdown: str) -> str:
    """答案文字里渲染后照原样出现在页面上的最长一段（不计空白）。"""
    return max((_SPACE.sub("", p.replace("`", "")) for p in _MARKUP.split(markdown)), key=len)


def _page_text(raw: str) -> str:
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return _SPACE.sub("", html.unescape(re.sub(r"<[^>]+>", " ", raw)))


def _solution_texts(path: Path) -> list[tuple[str, str]]:
    """(练习, 片段)：每道答案文字里最长的一段，答案里在书上显示的每个代码格最长的一行。

    短于 8 个字符的片段不用（别处也可能有）。"""
    _, solutions = split_solutions(_cells(path))
    found = []
    for sol in solutions:
        texts = [_fragment("\n".join(sol.markdown))]
        for cell in sol.code:
            if {"remove-cell", "remove-input"} & set(cell["metadata"].get("tags", [])):
                continue
            lines = [ln.strip() for ln in "".join(cell["source"]).splitlines() if not ln.strip().startswith("#")]
            texts.append(_SPACE.sub("", max(lines, key=len)))
        texts = [t for t in texts if len(t) >= 8]
        assert texts, (path.name, sol.exercise, "答案里找不到足够长的文字")
        found += [(sol.exercise, t) for t in texts]
    return found


# ---------------------------------------------------------------- 不需要构建结果


def test_split_solutions_both_forms():
    md = [
        "```{exercise}\n:label: ex-1\n\n题一\n```",
        "```{solution} ex-1\n:class: dropdown\n\n答一\n```\n\n之后",
        "题二",
        "````{solution-start} ex-2\n:class: dropdown\n````\n\n答二",
        None,
        "答二续\n\n```{solution-end}\n```\n\n正文继续",
    ]
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": s}
        if s
        else {"cell_type": "code", "metadata": {}, "source": "print(2)"}
        for s in md
    ]
    kept, solutions = split_solutions(cells)
    assert [(s.exercise, "".join(s.markdown).strip()) for s in solutions] == [("ex-1", "答一"), ("ex-2", "答二答二续")]
    assert [c["source"] for c in solutions[1].code] == ["print(2)"]
    assert [c["source"] for c in kept] == ["```{exercise}\n:label: ex-1\n\n题一\n```", "之后", "题二", "正文继续"]


@pytest.mark.parametrize(
    "sources",
    [
        ["````{solution-start} ex-1\n````\n答"],  # 没有结束
        ["答\n```{solution-end}\n```"],  # 没有开始
        ["```{solution} ex-1\n答"],  # 指令没有结束的围栏
    ],
)
def test_split_solutions_rejects_unpaired(sources):
    with pytest.raises(ValueError):
        split_solutions([{"cell_type": "markdown", "metadata": {}, "source": s} for s in sources])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_one_solution_and_none_survives(path):
    kept, solutions = split_solutions(_cells(path))
    assert sorted(s.exercise for s in solutions) == sorted(_exercises(_cells(path)))
    assert _exercises(kept) == _exercises(_cells(path)), "练习本身必须留下"
    assert not any("{solution" in "".join(c["source"]) for c in kept)


# ---------------------------------------------------------------- 构建结果


@pytest.fixture(scope="module")
def student_pages() -> dict[str, str]:
    require_built(STUDENT / "index.html", "make student")
    pages = {}
    for path in STUDENT.rglob("*"):
        if path.suffix in (".html", ".txt", ".md") or path.name == "searchindex.js":
            pages[str(path.relative_to(STUDENT))] = _page_text(path.read_text(encoding="utf-8"))
        elif path.suffix == ".ipynb":
            sources = "".join("".join(c["source"]) for c in _cells(path))
            pages[str(path.relative_to(STUDENT))] = _SPACE.sub("", sources)
    return pages


@pytest.mark.book
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_only_in_teacher_edition(student_pages, path):
    require_built(TEACHER / "index.html", "make book")
    teacher = _page_text((TEACHER / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8"))
    texts = _solution_texts(path)
    assert texts, f"{path.name} 没有答案"
    for exercise, fragment in texts:
        assert fragment in teacher, (exercise, fragment)
        leaked = [rel for rel, text in student_pages.items() if fragment in text]
        assert not leaked, (exercise, fragment, leaked)


@pytest.mark.book
def test_student_edition_keeps_every_exercise():
    require_built(STUDENT / "index.html", "make student")
    for path in NOTEBOOKS:
        page = (STUDENT / "notebooks" / f"{path.stem}.html").read_text(encoding="utf-8")
        assert page.count('class="exercise') == len(_exercises(_cells(path))) > 0, path.stem
        assert 'class="solution' not in page, path.stem
        download = STUDENT / "_sources" / "notebooks" / path.name
        assert _exercises(_cells(download)) == _exercises(_cells(path)), path.stem


def _student_pages() -> list[str]:
    if not STUDENT.is_dir():
        return []  # 没有构建时为空：test_student_edition_has_every_page 报告原因
    return sorted(
        str(p.relative_to(STUDENT))
        for p in STUDENT.rglob("*.html")
        if not p.relative_to(STUDENT).parts[0].startswith(("_", "."))
    )


STUDENT_PAGES = _student_pages()


@pytest.mark.book
def test_student_edition_has_every_page():
    require_built(STUDENT / "index.html", "make student")
    assert len(STUDENT_PAGES) > len(NOTEBOOKS)
    for path in NOTEBOOKS:
        assert f"notebooks/{path.stem}.html" in STUDENT_PAGES, path.stem


@pytest.fixture(scope="module")
def student_site():
    require_built(STUDENT / "index.html", "make student")
    with serve(STUDENT) as url, offline_browser() as context:
        yield url, context


@pytest.mark.browser
@pytest.mark.parametrize("rel", STUDENT_PAGES)
def test_student_page_opens_offline(student_site, rel):
    """每页一个测试（各页可以分给不同的进程）：离线打开没有问题，各章有练习、没有答案。"""
    url, context = student_site
    page = context.new_page()
    log = PageLog(page)
    page.goto(f"{url}/{rel}", wait_until="networkidle")
    wait_for_math(page, every_formula=False)
    if rel.startswith("notebooks/"):
        assert page.locator(".exercise").count() > 0
        assert page.locator(".solution").count() == 0
    page.close()
    assert not log.problems(), log.problems()
