"""课前预热模型缓存：把每一章在全新内核里执行一遍（``python -m lenet warm``，或 ``make warm``）。

各章需要的每个训练好的模型都通过 :func:`lenet.cache.trained` 取得，所以“执行每一章”就是“训练每一章用到的模型”，
不必另写一份模型清单（那份清单会和章节脱节）。已在缓存里的模型直接读取，第二次预热很快。
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from .cache import default_cache_dir

CELL_TIMEOUT = 1800  # 秒；完整配方在慢 CPU 上训练一次也在这之内


_QUIET = logging.getLogger(__name__)  # nbclient 每章打一行 INFO（“Executing notebook…”），用户不需要
_QUIET.setLevel(logging.WARNING)


class WarmError(Exception):
    """预热失败：信息是给读者看的中英文说明。"""


def default_notebooks_dir() -> Path:
    """仓库里的 notebooks/（src/lenet 往上两级），否则当前目录下的 notebooks/。"""
    for candidate in (Path(__file__).resolve().parents[2] / "notebooks", Path.cwd() / "notebooks"):
        if candidate.is_dir():
            return candidate
    raise WarmError(
        "找不到各章的笔记本目录 notebooks/：请在仓库根目录运行，或用 --notebooks 指定。\n"
        "notebooks/ not found: run from the repository root or pass --notebooks DIR."
    )


def _entries(cache_dir: Path) -> set[str]:
    if not cache_dir.is_dir():
        return set()
    return {p.name for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith(".")}


def run_chapters(
    notebooks_dir: Path | str | None = None, report: Callable[[str], None] = print, timeout: int = CELL_TIMEOUT
) -> list[dict]:
    """按文件名顺序执行 ``notebooks_dir`` 里的每个 .ipynb（工作目录就是它），返回每章的用时和新训练的模型。

    返回 ``[{"notebook": 名字, "seconds": 用时, "trained": [新缓存项]}]``。某一格出错时抛出 :class:`WarmError`，
    说明是哪一章；模型缓存的位置由环境变量 ``LENET_CACHE_DIR`` 决定（章节的内核继承它）。
    """
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
    except ImportError as exc:
        raise WarmError(
            f"预热需要 nbclient 和 nbformat（Jupyter 自带）：{exc}\n"
            f"warming needs nbclient and nbformat: pip install nbclient nbformat"
        ) from None
    folder = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise WarmError(f"{folder} 里没有笔记本（.ipynb）/ no notebooks in {folder}")
    cache_dir = default_cache_dir()
    report(f"模型缓存 / model cache: {cache_dir}")
    results = []
    for path in paths:
        before = _entries(cache_dir)
        nb = nbformat.read(path, as_version=4)
        resources = {"metadata": {"path": str(folder)}}  # 工作目录：与在 Jupyter 里打开这一章时相同
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources=resources, log=_QUIET)
        start = time.monotonic()
        try:
            client.execute()
        except CellExecutionError as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise WarmError(
                f"{path.name} 执行出错：{first}\n在 Jupyter 里打开这一章从头运行，看是哪一格。\n"
                f"{path.name} failed while warming: open it in Jupyter and run it from the top."
            ) from None
        seconds = time.monotonic() - start
        trained = sorted(_entries(cache_dir) - before)
        results.append({"notebook": path.name, "seconds": seconds, "trained": trained})
        report(f"{path.name:<28} {seconds:7.1f} 秒 / s" + (f"  新训练 / trained: {len(trained)}" if trained else ""))
    return results
