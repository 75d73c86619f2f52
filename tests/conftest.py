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


def pytest_collection_modifyitems(items):
    """标了 long(秒数) 的测试最先开始，长的在前（其余保持原顺序）。

    make test-unit 用 ``--maxschedchunk 1`` 把测试一个个分给各进程：长测试一开始就分散到两个核上，
    其余几百个短测试填满空隙；否则长测试可能排在最后，一个核跑完它们时另一个核空等。
    """

    def seconds(item):
        mark = item.get_closest_marker("long")
        return mark.args[0] if mark else 0

    items.sort(key=seconds, reverse=True)  # 排序是稳定的：秒数相同时保持收集顺序
