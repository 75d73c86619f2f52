"""MNIST：文件在哪里、如何校验、如何变成 ``paddle.io.Dataset``。

查找顺序（第一个命中即用，不再往下找）：

1. 函数参数 ``data_dir``；
2. 环境变量 ``LENET_DATA_DIR``；
3. Paddle 自己的缓存目录 ``~/.cache/paddle/dataset/mnist``；
4. 通过 Paddle 正常下载（只有前三处都没有文件时才会联网）。

每个文件可以是下载来的 ``.gz``，也可以是已经解压、去掉 ``.gz`` 的原始 IDX 文件（两者都在时用 ``.gz``）。
读到的每个文件都会校验：是否为空、gzip 是否完整、IDX 魔数、样本数、解压后内容的 MD5。
任何一项不对都抛出 :class:`MNISTDataError`，中英文说明是哪个文件、怎么修复。
"""

from __future__ import annotations

import gzip  # 必须先于 paddle 导入，见 _gunzip
import hashlib
import os
import struct
import subprocess
import sys
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

ENV_VAR = "LENET_DATA_DIR"

# (图像文件, 标签文件)，与 paddle.vision.datasets.MNIST 下载的文件同名
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
COUNTS = {"train": 60000, "test": 10000}
# 官方公布的、解压后文件的 MD5
MD5 = {
    "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
}
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
SIDE = 28

FIX_HINT = (
    "修复方法：把四个 MNIST 文件（{files}；已解压、去掉 .gz 的也可以）放进一个目录，"
    "然后把目录传给 data_dir 参数或设置环境变量 {env}；也可以删除损坏的文件后联网让 Paddle 重新下载。\n"
    "Fix: put the four MNIST files ({files}; decompressed files without .gz also work) in one directory "
    "and pass it as data_dir or set {env}; or delete the damaged file and let Paddle download it again."
)


class MNISTDataError(RuntimeError):
    """MNIST 文件缺失或损坏。信息中英文双语，并指明文件与修复方法。"""

    def __init__(self, path, zh: str, en: str):
        self.path = Path(path) if path is not None else None
        hint = FIX_HINT.format(files=", ".join(sum(FILES.values(), ())), env=ENV_VAR)
        where = f"：{self.path}" if self.path is not None else ""
        super().__init__(f"{zh}{where}\n{en}{where and ': ' + str(self.path)}\n{hint}")


# ---------------------------------------------------------------- 找文件


def paddle_cache_dir() -> Path:
    """Paddle 下载 MNIST 时使用的目录（通常是 ~/.cache/paddle/dataset/mnist）。"""
    from paddle.dataset.common import DATA_HOME

    return Path(DATA_HOME) / "mnist"


def locate(directory: Path, name: str) -> Path:
    """``directory`` 里名为 ``name``（``.gz``）的文件；只有已解压的同名文件（去掉 ``.gz``）时返回它。

    两者都没有时返回 ``.gz`` 的路径，读取时报告缺失。
    """
    path = Path(directory) / name
    unpacked = path.with_suffix("")
    return unpacked if not path.is_file() and unpacked.is_file() else path


def _has_all(directory: Path) -> bool:
    return all(locate(directory, name).is_file() for name in sum(FILES.values(), ()))


def find_data_dir(data_dir=None, download: bool = True) -> Path:
    """按模块说明中的顺序找到存放四个 MNIST 文件的目录。"""
    if data_dir is None and os.environ.get(ENV_VAR):
        data_dir = os.environ[ENV_VAR]
    if data_dir is not None:
        data_dir = Path(data_dir).expanduser()
        if not data_dir.is_dir():
            raise MNISTDataError(
                data_dir,
                f"MNIST 数据目录不存在（来自 data_dir 参数或环境变量 {ENV_VAR}）",
                f"MNIST data directory does not exist (from data_dir or {ENV_VAR})",
            )
        return data_dir  # 显式给出的目录：缺文件时由 read_* 报告具体是哪个
    cache = paddle_cache_dir()
    if _has_all(cache):
        return cache
    if not download:
        raise MNISTDataError(
            cache,
            "本地没有 MNIST 文件，且不允许下载",
            "no local MNIST files and downloading is disabled",
        )
    return _download(cache)


def _download(cache: Path) -> Path:
    """用 Paddle 自己的下载器把四个文件下载到它的缓存目录。"""
    from paddle.dataset.common import download
    from paddle.vision.datasets import MNIST as PaddleMNIST

    urls = [
        (PaddleMNIST.TRAIN_IMAGE_URL, PaddleMNIST.TRAIN_IMAGE_MD5),
        (PaddleMNIST.TRAIN_LABEL_URL, PaddleMNIST.TRAIN_LABEL_MD5),
        (PaddleMNIST.TEST_IMAGE_URL, PaddleMNIST.TEST_IMAGE_MD5),
        (PaddleMNIST.TEST_LABEL_URL, PaddleMNIST.TEST_LABEL_MD5),
    ]
    try:
        for url, md5 in urls:
            download(url, "mnist", md5)
    except BaseException as exc:  # Paddle 在断网时可能抛出各种异常，甚至 SystemExit
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise MNISTDataError(
            cache,
            f"本地没有 MNIST 文件，联网下载也失败了（{type(exc).__name__}: {exc}）",
            "no local MNIST files and the download failed",
        ) from exc
    return cache


# ---------------------------------------------------------------- 读文件


def _zlib_unsafe() -> bool:
    """Paddle 2.x 的动态库若先于 zlib 加载，进程内解压 gzip 会段错误（inflateReset2）。

    导入 lenet 时若 paddle 还没被导入，zlib 一定先加载，安全；否则无法确知顺序，按危险处理。
    Paddle 3.x 没有这个问题。
    """
    import lenet

    paddle = sys.modules.get("paddle")
    if lenet.ZLIB_LOADED_BEFORE_PADDLE or paddle is None:
        return False
    return getattr(paddle, "__version__", "3").startswith("2.")


_GUNZIP = "import gzip,sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())"


def _gunzip(path: Path) -> bytes:
    if _zlib_unsafe():
        # 在不加载 Paddle 的子进程里解压，结果通过管道传回
        proc = subprocess.run([sys.executable, "-c", _GUNZIP, str(path)], capture_output=True)
        if proc.returncode != 0:
            raise OSError(proc.stderr.decode(errors="replace").strip().splitlines()[-1])
        return proc.stdout
    with gzip.open(path, "rb") as f:
        return f.read()


def _read_idx(path: Path, magic: int, count: int | None) -> np.ndarray:
    """读一个 IDX 文件（``.gz`` 压缩的或已解压的）并校验；返回 uint8 数组。"""
    path = Path(path)
    if not path.is_file():
        raise MNISTDataError(path, "找不到 MNIST 文件", "MNIST file not found")
    if path.stat().st_size == 0:
        raise MNISTDataError(
            path, "文件是空的（0 字节，可能下载或复制中断）", "file is empty (0 bytes: interrupted download or copy)"
        )
    if path.suffix == ".gz":
        try:
            raw = _gunzip(path)
        except (OSError, EOFError, zlib.error) as exc:
            raise MNISTDataError(
                path,
                f"文件不是完整的 gzip（可能下载中断或已损坏：{exc}）",
                "file is not a complete gzip file (interrupted download or corrupt)",
            ) from exc
        if not raw:
            raise MNISTDataError(path, "解压后内容是空的", "file is empty after decompression")
    else:
        raw = path.read_bytes()
    ndim = 3 if magic == IMAGE_MAGIC else 1
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MNISTDataError(
            path,
            f"只有 {len(raw)} 字节，连 IDX 文件头（{header} 字节）都不完整（文件被截断）",
            f"only {len(raw)} bytes, shorter than the {header}-byte IDX header (truncated file)",
        )
    if struct.unpack(">I", raw[:4])[0] != magic:
        raise MNISTDataError(
            path,
            f"IDX 魔数不对，应为 {magic}（图像 2051、标签 2049）——文件放错或不是 MNIST",
            f"wrong IDX magic number, expected {magic}: wrong or non-MNIST file",
        )
    dims = struct.unpack(">" + "I" * ndim, raw[4:header])
    n = dims[0]
    if count is not None and n != count:
        raise MNISTDataError(
            path,
            f"样本数为 {n}，应为 {count}",
            f"file holds {n} samples, expected {count}",
        )
    if ndim == 3 and dims[1:] != (SIDE, SIDE):
        raise MNISTDataError(path, f"图像尺寸 {dims[1:]} 不是 28×28", "images are not 28x28")
    expected = n * (SIDE * SIDE if ndim == 3 else 1)
    if len(raw) - header != expected:
        raise MNISTDataError(
            path,
            f"数据长度 {len(raw) - header} 字节，应为 {expected} 字节（文件被截断）",
            "data length does not match the header (truncated file)",
        )
    md5 = MD5.get(path.name if path.suffix == ".gz" else path.name + ".gz")
    if md5 is not None and hashlib.md5(raw).hexdigest() != md5:
        raise MNISTDataError(
            path,
            "解压后内容的 MD5 与官方不符（文件被改动或损坏）",
            "MD5 of the uncompressed content differs from the published one",
        )
    arr = np.frombuffer(raw, dtype=np.uint8, offset=header)
    return arr.reshape(dims) if ndim == 3 else arr


@lru_cache(maxsize=8)
def _load_cached(directory: str, split: str, mtimes: tuple) -> tuple[np.ndarray, np.ndarray]:
    image_name, label_name = FILES[split]
    images = _read_idx(locate(directory, image_name), IMAGE_MAGIC, COUNTS[split])
    labels = _read_idx(locate(directory, label_name), LABEL_MAGIC, COUNTS[split])
    return images, labels.astype(np.int64)


def _mtimes(directory: Path, split: str) -> tuple:
    # 文件变化（被替换、修复）时让缓存失效
    paths = [locate(directory, n) for n in FILES[split]]
    return tuple((str(p), p.stat().st_mtime_ns) if p.exists() else None for p in paths)


def load_numpy(split: str = "train", data_dir=None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST 的原始数组：图像 uint8，形状 (N, 28, 28)，取值 0..255；标签 int64，取值 0..9。

    返回的数组只读（同一进程内共享一份）；需要修改请先 ``.copy()``。
    """
    if split not in FILES:
        raise ValueError(f"split 应为 'train' 或 'test'，得到 {split!r}")
    directory = find_data_dir(data_dir)
    return _load_cached(str(directory), split, _mtimes(directory, split))


# ---------------------------------------------------------------- paddle.io.Dataset


def default_transform():
    """原笔记本的预处理：把 0..255 线性映射到 [-1, 1]，输出形状 1×28×28（CHW）。"""
    from paddle.vision.transforms import Compose, Normalize

    return Compose([Normalize(mean=[127.5], std=[127.5], data_format="CHW")])


def mnist_dataset(split: str = "train", transform="default", data_dir=None):
    """返回 ``paddle.vision.datasets.MNIST`` 数据集（原笔记本的 API），数据来自已校验的文件。

    ``transform="default"`` 使用 :func:`default_transform`；传 ``None`` 得到 0..255 的原始值。
    """
    from paddle.vision.datasets import MNIST as PaddleMNIST

    class MNIST(PaddleMNIST):
        # 用校验过的数组代替 Paddle 自己的逐字节解析（也避开 Paddle 2.x 的 gzip 段错误）
        def _parse_dataset(self, buffer_size=100):
            images, labels = load_numpy(self.mode, data_dir)
            self.images = images.reshape(len(images), -1).astype("float32")
            self.labels = labels.reshape(-1, 1)

    directory = find_data_dir(data_dir)
    image_name, label_name = FILES[split]
    return MNIST(
        image_path=str(locate(directory, image_name)),
        label_path=str(locate(directory, label_name)),
        mode=split,
        transform=default_transform() if transform == "default" else transform,
        download=False,
        backend="cv2",
    )


def shift(images: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
    """把一批图像（…×H×W）整体向右平移 ``dx``、向下平移 ``dy`` 个像素（负数向左、向上）。

    移出边界的像素丢掉，空出来的位置补 0（MNIST 的背景）；不像 ``np.roll`` 那样从另一边绕回来。
    """
    out = np.zeros_like(images)
    h, w = images.shape[-2:]
    if abs(dx) >= w or abs(dy) >= h:
        return out
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        ..., max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def normalize(images: np.ndarray) -> np.ndarray:
    """与 :func:`default_transform` 相同的映射，作用在整批 uint8 图像上，返回 N×1×28×28 float32。"""
    return ((images.astype(np.float32) - 127.5) / 127.5)[:, None, :, :]
