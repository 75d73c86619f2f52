"""仓库层面的约定：版本号只写在一处、更新记录、提交前检查与 make lint 用同一个 ruff。"""

import importlib.metadata
import re
from pathlib import Path

import yaml

import lenet

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_written_once():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert not re.search(r"^version\s*=\s*\"", pyproject, re.M), "pyproject.toml 不应再写版本号"
    assert re.search(r"^dynamic = \[\"version\"\]", pyproject, re.M)
    assert 'version = { attr = "lenet.__version__" }' in pyproject
    assert re.fullmatch(r"\d+\.\d+\.\d+", lenet.__version__)
    try:  # 装成包时（make venv），安装信息里的版本来自同一处；不符时重新 make venv
        installed = importlib.metadata.version("lenet")
    except importlib.metadata.PackageNotFoundError:  # 兼容环境：lenet 没有安装，从 src/ 导入
        return
    assert installed == lenet.__version__


def test_changelog_has_the_current_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {lenet.__version__} — " in changelog
    assert "## 未发布" in changelog


def test_pre_commit_uses_the_pinned_ruff_and_the_notebook_cleaner():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    repos = {r["repo"]: r for r in config["repos"]}
    ruff = repos["https://github.com/astral-sh/ruff-pre-commit"]
    pin = re.search(r"^ruff==(\S+)", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M)
    assert pin, "requirements.txt 应固定 ruff 的版本（格式检查的结果随版本变化）"
    assert ruff["rev"] == f"v{pin.group(1)}"
    assert {h["id"] for h in ruff["hooks"]} == {"ruff-check", "ruff-format"}
    (cleaner,) = repos["local"]["hooks"]
    script = cleaner["entry"].split()[1]
    assert (ROOT / script).is_file() and script == "tools/clean_notebooks.py"
