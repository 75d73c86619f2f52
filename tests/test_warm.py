"""课前预热（lenet.warm，python -m lenet warm）：执行每一章，各章经模型缓存训练的模型随之进缓存；出错时说明是哪一章。"""

import json
import os
from pathlib import Path

import pytest

from lenet import warm
from test_cli import assert_clean_error, run

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient", reason="预热用 nbclient 执行笔记本；Paddle 2.6 的兼容环境没有装它")

SRC = Path(__file__).resolve().parents[1] / "src"
# 很小的配置：前 512 张训练图（不留验证集），1 轮（几秒）；章节里就是这样经 cache.trained 取得模型的
TINY = "replace(train.ORIGINAL_CONFIG, train_samples=512, holdout=0, epochs=1)"


def _notebook(path: Path, *sources: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def chapters(tmp_path, mnist_dir, cache_dir, monkeypatch):
    """两章：第一章经缓存训练一个很小的模型，第二章只读文件（检查工作目录就是笔记本目录）。"""
    monkeypatch.setenv("LENET_DATA_DIR", str(mnist_dir))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "here.json").write_text(json.dumps({"ok": 1}), encoding="utf-8")
    _notebook(
        folder / "01_train.ipynb",
        "from dataclasses import replace\nfrom lenet import cache, train",
        f"net, history, from_cache = cache.trained({TINY}, verbose=0)\nprint(from_cache, history[-1])",
    )
    _notebook(folder / "02_read.ipynb", "import json\nassert json.load(open('here.json')) == {'ok': 1}")
    return folder


@pytest.mark.long(9)
def test_warm_trains_what_the_chapters_use_once(chapters, cache_dir):
    lines = []
    first = warm.run_chapters(chapters, report=lines.append)
    assert [r["notebook"] for r in first] == ["01_train.ipynb", "02_read.ipynb"]
    (entry,) = first[0]["trained"]
    assert (cache_dir / entry / "model.pdparams").is_file()
    assert json.loads((cache_dir / entry / "config.json").read_text())["train_samples"] == 512
    assert first[1]["trained"] == [] and all(r["seconds"] > 0 for r in first)
    assert any("01_train.ipynb" in line for line in lines)
    again = warm.run_chapters(chapters, report=lines.append)  # 第二次：全部从缓存读取
    assert all(r["trained"] == [] for r in again)


def test_warm_names_the_failing_chapter(tmp_path, cache_dir):
    _notebook(tmp_path / "01_ok.ipynb", "x = 1")
    _notebook(tmp_path / "02_broken.ipynb", "1 / 0")
    proc = run("warm", "--notebooks", tmp_path, "--cache-dir", cache_dir, timeout=900)
    assert_clean_error(proc, "02_broken.ipynb", "ZeroDivisionError")
    assert "01_ok.ipynb" in proc.stdout  # 前面的章照常执行、报告了用时


def test_warm_without_notebooks_is_a_clear_error(tmp_path):
    proc = run("warm", "--notebooks", tmp_path)
    assert_clean_error(proc, str(tmp_path))
