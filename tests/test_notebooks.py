"""各章笔记本的结构检查（执行由 pytest --nbval-lax notebooks 负责）。"""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BOOTSTRAP = 'sys.path += ["../src", "src"]'


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(toc.get("parts", toc.get("chapters")))
    return files


def test_seven_chapters_in_order_in_toc():
    chapters = [f for f in _toc_files() if f.startswith("notebooks/")]
    assert len(chapters) >= 7
    assert chapters == sorted(chapters)
    assert {f"notebooks/{p.stem}" for p in NOTEBOOKS} == set(chapters)
    for f in _toc_files():
        assert (ROOT / f).with_suffix(".ipynb").exists() or (ROOT / f).with_suffix(".md").exists(), f


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = _load(path)
    assert (nb["nbformat"], nb["nbformat_minor"]) >= (4, 5)
    ids = [c.get("id") for c in nb["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), "every cell needs a unique id (tools/clean_notebooks.py)"
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert not cell["outputs"] and cell["execution_count"] is None, f"cell {i} has output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_shape(path):
    cells = _load(path)["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    # 第一格代码：lenet 未安装时从 src/ 导入（AI Studio）
    assert BOOTSTRAP in "".join(code[0]["source"])
    assert "## 小结" in markdown and "## 练习" in markdown
    assert "{exercise}" in markdown and re.search(r"\{solution(-start)?\}", markdown)
    # 带代码的答案用 solution-start / solution-end 包住真正执行的代码格，两者必须成对
    assert markdown.count("{solution-start}") == markdown.count("{solution-end}")
    # 至少一个隐藏的检查格，用 assert 核对正文里的数字
    checks = [c for c in code if "remove-cell" in c["metadata"].get("tags", [])]
    assert checks and all("assert" in "".join(c["source"]) for c in checks)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_hot_links_or_device_strings(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"!\[[^\]]*\]\(https?://", text), "hot-linked image"
    assert not re.search(r"<img[^>]+src=\\?\"https?://", text), "hot-linked image"
    assert not re.search(r"set_device\(|['\"]gpu:\d|CUDAPlace|pip install", text)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figure_cells_end_without_a_value(path):
    """带图号的格只能输出一张图：以 “;” 结尾的表达式在 nbval 执行时仍会留下 Text(...) 输出，书里就成了两个同名的图。"""
    for cell in _load(path)["cells"]:
        if cell["cell_type"] == "code" and "figure" in cell["metadata"].get("mystnb", {}):
            last = "".join(cell["source"]).rstrip().splitlines()[-1]
            assert not last.endswith(";"), (
                f"{cell['metadata']['mystnb']['figure']['name']}：以 plt.show() 结尾，不要用分号"
            )


@pytest.mark.parametrize("cwd", ["notebooks", "."])
def test_bootstrap_cell_imports_lenet_from_the_checkout(cwd):
    """AI Studio：仓库上传后 lenet 没有安装，第一格要从 notebooks/ 或仓库根目录找到 src/。

    用 ``python -S``（不加载 site-packages）模拟“没有安装”：即使本环境装了 lenet，也必须从 src/ 导入。
    """
    import os
    import subprocess
    import sys

    code = "".join(next(c for c in _load(NOTEBOOKS[0])["cells"] if c["cell_type"] == "code")["source"])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = code + "\nprint(lenet.__file__)"
    for flags in (["-S"], []):  # 没有安装时；以及正常环境里（装了也能导入）
        proc = subprocess.run(
            [sys.executable, *flags, "-c", probe], cwd=ROOT / cwd, env=env, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        origin = Path(proc.stdout.strip().splitlines()[-1]).resolve()
        if flags:
            assert origin.is_relative_to(ROOT / "src"), origin
    # 反证：不运行第一格时，-S 下确实找不到 lenet（上面的检查不是摆设）
    bare = subprocess.run(
        [sys.executable, "-S", "-c", "import lenet"], cwd=ROOT / cwd, env=env, capture_output=True, text=True
    )
    assert bare.returncode != 0 and "No module named 'lenet'" in bare.stderr


def _bootstrap_code(path=None):
    cells = _load(path or NOTEBOOKS[0])["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


def test_every_chapter_in_the_toc_has_the_same_bootstrap_cell():
    """第一格在所有章里一字不差（照 01_task 复制）；旧版第一格的副本在这里失败。"""
    reference = _bootstrap_code()
    assert "except ModuleNotFoundError" in reference and "离线包" in reference
    chapters = [ROOT / f"{f}.ipynb" for f in _toc_files() if (ROOT / f"{f}.ipynb").exists()]
    assert len(chapters) >= 8
    stale = [p.name for p in chapters if _bootstrap_code(p) != reference]
    assert not stale, f"第一格与 notebooks/01_task.ipynb 不同，请照它复制：{stale}"


def _run_alone(code, cwd):
    """在没有 lenet 的 Python 里（-S：不加载 site-packages，已安装的 lenet 也看不到）运行第一格。"""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_bootstrap_cell_downloaded_alone_says_what_is_missing(tmp_path):
    """单独下载的一章在空文件夹里运行：不是光秃秃的 ModuleNotFoundError，而是中英文说明和解决办法。"""
    proc = _run_alone(_bootstrap_code(), tmp_path)
    assert proc.returncode != 0
    message = proc.stderr.strip().splitlines()
    assert message[-2].startswith("ModuleNotFoundError: 找不到课程代码 lenet"), proc.stderr
    assert "离线包（lenet-course-*.zip）或整个仓库" in message[-2] and "notebooks/" in message[-2]
    assert "offline bundle (lenet-course-*.zip) or the whole repository" in message[-1]
    assert "No module named 'lenet'" not in proc.stderr
    assert "During handling" not in proc.stderr  # 不附带原来的异常链


def test_bootstrap_cell_keeps_other_missing_modules_as_they_are(tmp_path):
    """lenet 找到了、缺的是别的包（如 paddle）时，照原样报那个包，不能误导成“缺 lenet”。"""
    (tmp_path / "src" / "lenet").mkdir(parents=True)
    (tmp_path / "src" / "lenet" / "__init__.py").write_text("import not_a_real_module_xyz\n")
    proc = _run_alone(_bootstrap_code(), tmp_path)
    assert "No module named 'not_a_real_module_xyz'" in proc.stderr
    assert "找不到课程代码" not in proc.stderr


def test_no_device_is_hard_coded_in_the_package():
    for path in (ROOT / "src" / "lenet").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"set_device\(|['\"]gpu(:\d)?['\"]|CUDAPlace|CPUPlace", text), path
