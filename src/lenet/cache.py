"""训练结果缓存：一个配置训练一次，之后任何章节、任何进程直接读取。

- 缓存目录：参数 ``cache_dir``，否则环境变量 ``LENET_CACHE_DIR``，否则 ``~/.cache/lenet``；
- 缓存键：配置全部字段（含类名和 :data:`CACHE_VERSION`）的短哈希，见 :func:`config_key`；
- 同一个配置同时被两个进程请求时，用文件锁（:func:`locked`）保证只训练一次；
- 写入先进临时目录再改名（:func:`write_dir_atomically`），中途被打断不会留下半个缓存项。
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import ClassVar, Protocol

import paddle

from .model import LeNet

CACHE_ENV = "LENET_CACHE_DIR"
# 训练代码的行为一旦改变就把这个数加一，旧的缓存随之失效
CACHE_VERSION = 1


def config_key(config) -> str:
    """配置内容（全部字段、类名和 CACHE_VERSION）的短哈希，用作缓存键。

    配置类的 ``added_fields``（{字段: 默认值}）是后来新增的字段：取默认值时不计入，加字段不会让已有的缓存失效。
    """
    added = getattr(config, "added_fields", {})
    fields = {k: v for k, v in asdict(config).items() if not (k in added and v == added[k])}
    fields.update(kind=type(config).__name__, cache_version=CACHE_VERSION)
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]


class TrainingConfig(Protocol):
    """:func:`trained` 能缓存的训练配置：一个冻结的 dataclass，写明怎样训练（``run``）。

    显式继承它的类得到 ``key()`` 和 ``name()``；``prefix`` 区分不同的训练方式。
    """

    prefix: ClassVar[str]
    activation: str
    epochs: int
    batch_size: int
    seed: int

    def run(self, verbose: int = 1, data_dir=None) -> tuple[paddle.nn.Layer, list[dict]]:
        """训练一次，返回 (网络, 逐轮记录)。"""
        ...

    def key(self) -> str:
        return config_key(self)

    def name(self) -> str:
        return f"{self.prefix}-{self.activation}-e{self.epochs}-b{self.batch_size}-s{self.seed}-{self.key()}"


def default_cache_dir() -> Path:
    """环境变量 ``LENET_CACHE_DIR``，否则 ``~/.cache/lenet``。"""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "lenet")


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """进程间互斥（POSIX 的 flock）；没有 fcntl 的系统（Windows）上不加锁。"""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def write_dir_atomically(target: Path, fill: Callable[[Path], None]) -> None:
    """``fill(tmp)`` 把内容写进同一目录下的临时目录，完成后才替换 ``target``。"""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
    try:
        fill(tmp)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def entry_lock(entry: Path):
    """缓存项 ``entry`` 的锁（同目录下的 ``<名字>.lock`` 文件）。"""
    entry.parent.mkdir(parents=True, exist_ok=True)
    return locked(entry.with_name(entry.name + ".lock"))


def trained(config: TrainingConfig, verbose: int = 1, data_dir=None, cache_dir: Path | str | None = None):
    """返回按 ``config`` 训练好的网络和逐轮记录；缓存里有就直接读取，没有才训练并存入缓存。

    ``config`` 可以是 :class:`lenet.train.TrainConfig`（原笔记本的 ``paddle.Model`` 写法）或
    :class:`lenet.recipe.RecipeConfig`（内存张量训练循环）。``cache_dir`` 默认见 :func:`default_cache_dir`。
    返回 (网络, history: list[dict], from_cache: bool)；网络是 LeNet，或配置的 ``build()`` 建出的网络（如 MLP）。
    任何章节单独打开都能用它拿到训练好的模型。
    """
    entry = Path(cache_dir or default_cache_dir()) / config.name()
    with entry_lock(entry):
        cached = load(entry, config.activation, build=getattr(config, "build", None))
        if cached is not None:
            return (*cached, True)
        network, history = config.run(verbose=verbose, data_dir=data_dir)

        def fill(tmp: Path) -> None:
            paddle.save(network.state_dict(), str(tmp / "model.pdparams"))
            (tmp / "history.json").write_text(json.dumps(history, indent=1), encoding="utf-8")
            (tmp / "config.json").write_text(json.dumps(asdict(config), indent=1), encoding="utf-8")

        write_dir_atomically(entry, fill)
    network.eval()
    return network, history, False


def load(entry: Path, activation: str, build: Callable[[], paddle.nn.Layer] | None = None):
    """读取一个缓存项，返回 (网络, history)；不完整或不存在时返回 None。

    网络由 ``build()`` 新建（配置的 ``build`` 方法，如 MLP）；没有时是 ``LeNet(activation)``。
    """
    params, hist = entry / "model.pdparams", entry / "history.json"
    if not (params.is_file() and hist.is_file()):
        return None
    network = build() if build is not None else LeNet(activation)
    network.set_state_dict(paddle.load(str(params)))
    network.eval()
    return network, json.loads(hist.read_text(encoding="utf-8"))
