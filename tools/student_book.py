"""make student：学生版 HTML 书，每一道练习的答案都去掉 → _build/student/html/index.html。

    python tools/student_book.py

- 与教师版（make book → _build/html）是同一次 ``jupyter-book build -W -n --keep-going``，只多一个 Sphinx 设置
  ``hide_solutions = True``（sphinx-exercise；分段答案和可下载笔记本由 book/_ext/student_edition.py 处理）。
- 不再执行任何一章：执行结果来自教师版的执行缓存 _build/.jupyter_cache；日志里出现执行笔记本就报错（先 make book）。
- 学生版不含教师指南（book/teacher.md，里面谈到练习的答案）：目录用去掉它的 _toc.yml（_build/student/_toc.yml）。
- jupyter-book 的命令行只能把输出放进 ``<--path-output>/_build/html``，所以这里直接调用它的 ``build_sphinx``，
  参数与命令行相同（-W、-n、--keep-going、_config.yml、_toc.yml），另给输出目录、doctrees 目录和执行缓存的位置。
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
OUT = BUILD / "student" / "html"
LOG = BUILD / "student.log"
TEACHER_ONLY = {"book/teacher"}  # 只在教师版里的页面


class _Tee(io.TextIOBase):
    """同时写到终端和内存（Sphinx 的输出照常显示，结束后再从内存里检查）。"""

    def __init__(self, stream):
        self.stream, self.buffer = stream, io.StringIO()

    def write(self, text):
        self.stream.write(text)
        self.buffer.write(text)
        return len(text)

    def flush(self):
        self.stream.flush()

    def isatty(self):
        return False


def student_toc() -> Path:
    """去掉教师专用页面的目录，写在 _build/student/_toc.yml；文件路径仍相对于仓库根目录。"""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        part["chapters"] = [c for c in part["chapters"] if c.get("file") not in TEACHER_ONLY]
    path = OUT.parent / "_toc.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def build() -> int:
    from jupyter_book.sphinx import build_sphinx

    cache = BUILD / ".jupyter_cache"
    if not cache.is_dir():
        sys.exit(f"没有执行缓存 {cache}：先运行 make book / no execution cache, run make book first")
    toc = student_toc()
    overrides = {
        "external_toc_path": toc.as_posix(),
        "nitpicky": True,
        "latex_individualpages": False,
        "hide_solutions": True,
        "nb_execution_cache_path": str(cache),
    }
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result = build_sphinx(
            ROOT,
            OUT,
            noconfig=True,
            path_config=str(ROOT / "_config.yml"),
            confoverrides=overrides,
            doctreedir=OUT.parent / ".doctrees",
            warningiserror=True,
            keep_going=True,
        )
    log = out.buffer.getvalue() + err.buffer.getvalue()
    LOG.write_text(log, encoding="utf-8")
    if result != 0:
        sys.exit(f"学生版构建失败，见 {LOG.relative_to(ROOT)} / student build failed")
    executed = re.findall(r"(\S+\.ipynb): Executing notebook", log)
    if executed:
        sys.exit(f"学生版又执行了笔记本（执行缓存没有命中，先 make book）/ re-executed: {executed}")
    print(f"学生版 → {(OUT / 'index.html').relative_to(ROOT)}（{time.monotonic() - start:.0f} 秒）")
    return 0


if __name__ == "__main__":
    sys.exit(build())
