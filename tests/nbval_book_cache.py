"""pytest 插件：nbval 执行并验证过的章节直接存进书的 jupyter-cache，构建书时不再执行第二遍。

    pytest --nbval-lax -p tests.nbval_book_cache --book-cache _build/.jupyter_cache notebooks

nbval 在一个内核里逐格执行每一章、收集每格的输出；一章的所有代码格都通过后，本插件把这些输出填回
笔记本，写到暂存目录（xdist 的每个 worker 各写各的），测试会话结束时由主进程一次性存入
jupyter-cache。Jupyter Book（``execute_notebooks: cache``）按代码格内容的哈希在缓存里找到这次执行，
直接用它的输出。任何一格失败、被跳过或没有运行的章节不存：构建书时会照常执行它。
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

STAGING = "nbval-executed"  # 缓存目录旁的暂存子目录


def pytest_addoption(parser):
    parser.addoption(
        "--book-cache",
        default=None,
        help="把通过验证的执行结果存进这个 jupyter-cache 目录（书的 _build/.jupyter_cache）",
    )


def _staging(config) -> Path | None:
    cache = config.getoption("--book-cache")
    return Path(cache).resolve().parent / STAGING if cache else None


def pytest_configure(config):
    staging = _staging(config)
    if staging and not hasattr(config, "workerinput"):  # 只由主进程清空暂存目录
        staging.mkdir(parents=True, exist_ok=True)
        for old in staging.glob("*.ipynb"):
            old.unlink()
    config._nb_runs = {}  # 每章：{"start": 开始时间, "passed": 通过的代码格编号}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not hasattr(item, "test_outputs") or not _staging(item.config):
        return
    run = item.config._nb_runs.setdefault(item.parent.nodeid, {"start": time.time(), "passed": set()})
    if report.passed and item.test_outputs is not None:
        item.cell.outputs = [nbformat.from_dict(dict(o)) for o in item.test_outputs]
        item.cell.execution_count = item.cell_num + 1
        for out in item.cell.outputs:
            if out.output_type == "execute_result":
                out.execution_count = item.cell.execution_count
        run["passed"].add(item.cell_num)


def pytest_runtest_teardown(item, nextitem):
    staging = _staging(item.config)
    if not staging or not hasattr(item, "test_outputs"):
        return
    if nextitem is not None and nextitem.parent is item.parent:
        return  # 这一章还没执行完
    notebook = item.parent
    run = item.config._nb_runs.pop(notebook.nodeid, None)
    n_code = sum(c.cell_type == "code" for c in notebook.nb.cells)
    if run is None or len(run["passed"]) != n_code:
        return
    notebook.nb.metadata["nbval_book_cache"] = {
        "path": str(Path(notebook.fspath).resolve()),
        "execution_seconds": round(time.time() - run["start"], 2),
    }
    target = staging / Path(notebook.fspath).name
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    nbformat.write(notebook.nb, str(tmp))
    tmp.replace(target)


def pytest_sessionfinish(session):
    config = session.config
    staging = _staging(config)
    if not staging or hasattr(config, "workerinput") or not staging.is_dir():
        return
    files = sorted(staging.glob("*.ipynb"))
    if not files:
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(config.getoption("--book-cache"))
    for path in files:
        nb = nbformat.read(str(path), as_version=4)
        meta = nb.metadata.pop("nbval_book_cache")
        cache.cache_notebook_bundle(
            CacheBundleIn(nb, meta["path"], data={"execution_seconds": meta["execution_seconds"]}),
            check_validity=False,
            overwrite=True,
        )
        path.unlink()
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"nbval_book_cache: {len(files)} 章的执行结果已存入书的缓存（构建书时不再执行）")
