"""tests/nbval_book_cache.py：nbval 通过的章节进入书的 jupyter-cache，失败的章节不进。"""

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

# 书只在主环境（requirements.txt）里构建；Paddle 2.6 的兼容环境没有 jupyter-cache
get_cache = pytest.importorskip("jupyter_cache").get_cache

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, *sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 标题")])
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return nb


def _run_nbval(tmp_path: Path, *notebooks: Path):
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval-lax",
        "--current-env",
        "-p",
        "tests.nbval_book_cache",
        "--book-cache",
        str(tmp_path / "_build" / ".jupyter_cache"),
        "--rootdir",
        str(tmp_path),
        *map(str, notebooks),
    ]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.long(3)
def test_validated_chapter_is_cached_and_failed_chapter_is_not(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "x = 6 * 7\nprint('答案', x)", "x")
    _notebook(tmp_path / "bad.ipynb", "print('ok')", "assert 1 == 2, '检查失败'")
    result = _run_nbval(tmp_path, tmp_path / "good.ipynb", tmp_path / "bad.ipynb")
    assert result.returncode == 1, result.stdout  # bad.ipynb 的第二格失败
    assert "1 章的执行结果已存入书的缓存" in result.stdout

    cache = get_cache(str(tmp_path / "_build" / ".jupyter_cache"))
    assert len(cache.list_cache_records()) == 1
    # 书读到的是不含输出的源笔记本：按代码格的哈希能找到这次执行，并把输出合并回来
    record = cache.match_cache_notebook(good)
    assert record.data["execution_seconds"] >= 0
    _, merged = cache.merge_match_into_notebook(good)
    code = [c for c in merged.cells if c.cell_type == "code"]
    assert code[0].outputs[0]["text"] == "答案 42\n"
    assert code[1].outputs[0]["data"]["text/plain"] == "42"
    assert code[1].outputs[0]["execution_count"] == code[1].execution_count == 2
    with pytest.raises(KeyError):
        cache.match_cache_notebook(nbformat.read(str(tmp_path / "bad.ipynb"), as_version=4))
    assert not list((tmp_path / "_build" / "nbval-executed").glob("*.ipynb"))  # 暂存目录已清空
