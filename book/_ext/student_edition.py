"""学生版（make student）：去掉每一道练习的答案，包括书里可下载的 .ipynb。

学生版与教师版是同一本书，只多一个设置 ``hide_solutions``（sphinx-exercise 的选项，见 tools/student_book.py）。
sphinx-exercise 1.2.1 自己只去掉写在一个指令里的 ``{solution}``；分段写的 ``{solution-start}`` … ``{solution-end}``
（答案里有代码格时用）在 hide_solutions 下会让构建崩溃——开始标记被丢掉、结束标记留下，HTML 写出时没有它的处理函数
（executablebooks/sphinx-exercise#89）；即使不崩溃，两者之间的段落和代码格也会留在页面上。本扩展补上这一半：
开始指令留下一个标记，在 sphinx-exercise 合并分段答案之前，把标记到结束标记之间的一切删掉。

``_sources/`` 里供下载的笔记本是原文件的副本，也带着答案：构建结束时用同一套规则（:func:`split_solutions`）去掉。
教师版（hide_solutions 为假）什么也不改。
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform

_OPEN = re.compile(r"^(`{3,}|:{3,})\{(solution|solution-start|solution-end)\}")


@dataclass
class Solution:
    """笔记本里的一道答案：所答的练习、文字（Markdown）和答案里的代码格。"""

    exercise: str
    markdown: list[str] = field(default_factory=list)
    code: list[dict] = field(default_factory=list)


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def split_solutions(cells: list[dict]) -> tuple[list[dict], list[Solution]]:
    """把笔记本的单元格分成去掉答案后的单元格和答案本身（每道一个 :class:`Solution`）。

    认得两种写法：一个指令 ``{solution} ex-…``，和跨单元格的 ``{solution-start} ex-…`` … ``{solution-end}``。
    开始与结束不配对时报错，而不是悄悄留下答案。
    """
    kept: list[dict] = []
    found: list[Solution] = []
    gated: Solution | None = None
    for cell in cells:
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            if gated is not None:
                gated.code.append(cell)
            else:
                kept.append(cell)
            continue
        out: list[str] = []
        lines = source.split("\n")
        i = 0
        while i < len(lines):
            match = _OPEN.match(lines[i])
            if not match:
                (gated.markdown if gated is not None else out).append(lines[i])
                i += 1
                continue
            fence, kind = match.groups()
            arg = lines[i][match.end() :].strip()
            body = []
            i += 1
            while i < len(lines) and not _closes(lines[i], fence):
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise ValueError(f"{{{kind}}} {arg} 没有结束的 {fence} / unclosed {kind} directive")
            i += 1
            while body and body[0].startswith(":"):  # 指令的选项（:class: 等）不是答案
                body.pop(0)
            text = "\n".join(body)
            if kind == "solution":
                if gated is not None:
                    raise ValueError(f"{{solution}} {arg} 在分段答案 {gated.exercise} 里面 / nested solution")
                found.append(Solution(arg, [text]))
            elif kind == "solution-start":
                if gated is not None:
                    raise ValueError(f"{gated.exercise} 的答案没有 {{solution-end}} / missing solution-end")
                gated = Solution(arg)
            else:
                if gated is None:
                    raise ValueError("{solution-end} 前面没有 {solution-start} / solution-end without start")
                found.append(gated)
                gated = None
        if gated is not None:
            gated.markdown.append("")  # 单元格之间是段落的分界
        if "\n".join(out).strip():
            kept.append({**cell, "source": "\n".join(out).strip("\n")})
    if gated is not None:
        raise ValueError(f"{gated.exercise} 的答案没有 {{solution-end}} / missing solution-end")
    return kept, found


class hidden_solution_start(nodes.Element):
    """学生版里分段答案的开始位置；下面的变换把它连同答案一起删掉，不会写进 HTML。"""


def _solution_start_directive():
    from sphinx_exercise.directive import SolutionStartDirective

    class StudentSolutionStart(SolutionStartDirective):
        def run(self):
            result = super().run()  # 登记开始位置（sphinx-exercise 检查配对时要用）
            return [hidden_solution_start()] if self.config.hide_solutions else result

    return StudentSolutionStart


class RemoveGatedSolutions(SphinxTransform):
    """在 sphinx-exercise 合并分段答案（优先级 10）之前，删掉开始标记到 {solution-end} 之间的一切。"""

    default_priority = 5

    def apply(self):
        from sphinx_exercise.nodes import solution_end_node

        for start in list(self.document.findall(hidden_solution_start)):
            parent = start.parent
            siblings = parent.children
            first = siblings.index(start)
            last = next((j for j in range(first, len(siblings)) if isinstance(siblings[j], solution_end_node)), None)
            if last is None:
                raise ExtensionError(f"{self.env.docname}：{{solution-start}} 之后同一层没有 {{solution-end}}")
            for child in siblings[first : last + 1]:
                parent.remove(child)


def _strip_downloads(app, exception):
    """学生版 HTML 里供下载的笔记本（_sources/）去掉答案。"""
    if exception is not None or not app.config.hide_solutions or app.builder.format != "html":
        return
    for path in Path(app.outdir, "_sources").rglob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        nb["cells"], _ = split_solutions(nb["cells"])
        path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_directive("solution-start", _solution_start_directive(), override=True)
    app.add_transform(RemoveGatedSolutions)
    app.connect("build-finished", _strip_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
