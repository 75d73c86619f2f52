"""测试共用的夹具：真实 MNIST 目录（由 LENET_DATA_DIR 指定）和可随意损坏的副本。"""

import os
import shutil
from pathlib import Path

import pytest

from browser import skip_or_fail
from lenet import data


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    path = os.environ.get(data.ENV_VAR)
    if not path or not Path(path).is_dir():
        skip_or_fail(f"需要离线 MNIST：设置 {data.ENV_VAR} 为存放四个 MNIST 文件的目录")
    return Path(path)


@pytest.fixture
def mnist_copy(tmp_path, mnist_dir) -> Path:
    """四个 MNIST 文件的可写副本，测试可以删改它们。"""
    for name in sum(data.FILES.values(), ()):
        shutil.copy(mnist_dir / name, tmp_path / name)
    data._load_cached.cache_clear()
    return tmp_path


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """独立的训练结果缓存目录。"""
    path = tmp_path / "cache"
    monkeypatch.setenv("LENET_CACHE_DIR", str(path))
    return path
