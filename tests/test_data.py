"""lenet.data：与 MNIST 的已知事实对照，以及每一种坏文件都给出清楚的双语错误。"""

import gzip
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from lenet import data

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_numpy_sizes_and_label_counts(mnist_dir):
    xtr, ytr = data.load_numpy("train", mnist_dir)
    xte, yte = data.load_numpy("test", mnist_dir)
    assert xtr.shape == (60000, 28, 28) and xtr.dtype == np.uint8
    assert xte.shape == (10000, 28, 28)
    assert np.bincount(ytr).tolist() == TRAIN_COUNTS
    assert np.bincount(yte).tolist() == TEST_COUNTS
    assert ytr[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert yte[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert round(float(xtr.mean() / 255), 4) == 0.1307
    assert round(float((xtr / 255).std()), 4) == 0.3081


def test_env_var_is_used(mnist_dir, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(mnist_dir))
    assert data.find_data_dir() == mnist_dir


def test_dataset_matches_seed_api_and_range(mnist_dir):
    import paddle

    ds = data.mnist_dataset("test", data_dir=mnist_dir)
    assert isinstance(ds, paddle.vision.datasets.MNIST)
    assert len(ds) == 10000 and len(data.mnist_dataset("train", data_dir=mnist_dir)) == 60000
    image, label = ds[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32
    assert label.tolist() == [7]
    values = np.stack([ds[i][0] for i in range(200)])
    assert values.min() == -1.0 and values.max() == 1.0
    raw, _ = data.mnist_dataset("test", transform=None, data_dir=mnist_dir)[0]
    assert raw.min() == 0 and raw.max() == 255


def test_normalize_equals_default_transform(mnist_dir):
    images, _ = data.load_numpy("test", mnist_dir)
    ds = data.mnist_dataset("test", data_dir=mnist_dir)
    np.testing.assert_allclose(data.normalize(images[:3]), np.stack([ds[i][0] for i in range(3)]), atol=1e-6)


def test_loader_batches(mnist_dir):
    import paddle

    loader = paddle.io.DataLoader(data.mnist_dataset("test", data_dir=mnist_dir), batch_size=64)
    x, y = next(iter(loader))
    assert x.shape == [64, 1, 28, 28] and y.shape == [64, 1]


# ------------------------------------------------------------ bad input


def _assert_clear(excinfo, path_part):
    msg = str(excinfo.value)
    assert path_part in msg, msg
    assert any("\u4e00" <= ch <= "\u9fff" for ch in msg), "message must have Chinese"
    assert "Fix:" in msg and "修复" in msg and data.ENV_VAR in msg


@pytest.mark.parametrize("name", sum(data.FILES.values(), ()))
def test_missing_file(mnist_copy, name):
    (mnist_copy / name).unlink()
    split = "train" if name.startswith("train") else "test"
    with pytest.raises(data.MNISTDataError, match="找不到") as exc:
        data.load_numpy(split, mnist_copy)
    _assert_clear(exc, name)


def test_all_files_missing(tmp_path):
    with pytest.raises(data.MNISTDataError, match="找不到") as exc:
        data.load_numpy("train", tmp_path)
    _assert_clear(exc, "train-images-idx3-ubyte.gz")


def test_directory_does_not_exist(tmp_path):
    with pytest.raises(data.MNISTDataError, match="不存在") as exc:
        data.mnist_dataset("train", data_dir=tmp_path / "nope")
    _assert_clear(exc, "nope")


def test_env_var_directory_does_not_exist(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(data.MNISTDataError, match="不存在") as exc:
        data.load_numpy("test")
    _assert_clear(exc, "missing")


def test_truncated_gzip(mnist_copy):
    path = mnist_copy / "t10k-images-idx3-ubyte.gz"
    before = path.read_bytes()
    path.write_bytes(before[: len(before) // 2])
    with pytest.raises(data.MNISTDataError, match="gzip") as exc:
        data.load_numpy("test", mnist_copy)
    _assert_clear(exc, path.name)
    assert path.read_bytes() == before[: len(before) // 2], "the user's file must be left alone"


def test_not_gzip(mnist_copy):
    path = mnist_copy / "t10k-labels-idx1-ubyte.gz"
    path.write_text("<html>404 Not Found</html>")
    with pytest.raises(data.MNISTDataError, match="gzip") as exc:
        data.load_numpy("test", mnist_copy)
    _assert_clear(exc, path.name)


def test_truncated_payload_inside_valid_gzip(mnist_copy):
    path = mnist_copy / "t10k-images-idx3-ubyte.gz"
    raw = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(raw[:-784]))
    with pytest.raises(data.MNISTDataError, match="截断") as exc:
        data.load_numpy("test", mnist_copy)
    _assert_clear(exc, path.name)


@pytest.mark.parametrize(
    "target, source, split, match",
    [
        # 图像文件的位置上放了标签文件：魔数不对
        ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "test", "魔数"),
        # 训练集标签的位置上放了测试集标签：与图像的样本数不符
        ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train", "10000"),
    ],
    ids=["wrong-magic", "labels-paired-with-wrong-images"],
)
def test_wrong_file_in_place(mnist_copy, target, source, split, match):
    (mnist_copy / target).write_bytes((mnist_copy / source).read_bytes())
    with pytest.raises(data.MNISTDataError, match=match) as exc:
        data.load_numpy(split, mnist_copy)
    _assert_clear(exc, target)


def _decompress(path):
    """像读者用 gunzip 那样解压：写出去掉 .gz 的文件，删掉 .gz。"""
    unpacked = path.with_suffix("")
    unpacked.write_bytes(gzip.decompress(path.read_bytes()))
    path.unlink()
    return unpacked


@pytest.mark.parametrize("which", ["all", "one"])
def test_decompressed_files_are_accepted(mnist_copy, mnist_dir, which):
    names = sum(data.FILES.values(), ()) if which == "all" else ("t10k-labels-idx1-ubyte.gz",)
    for name in names:
        _decompress(mnist_copy / name)
    for split in ("test", "train"):
        images, labels = data.load_numpy(split, mnist_copy)
        ref_images, ref_labels = data.load_numpy(split, mnist_dir)
        assert np.array_equal(images, ref_images) and np.array_equal(labels, ref_labels)
    ds = data.mnist_dataset("test", data_dir=mnist_copy)
    assert len(ds) == 10000 and ds[0][1].tolist() == [7]


def test_decompressed_file_is_checked_like_gz(mnist_copy):
    path = _decompress(mnist_copy / "t10k-labels-idx1-ubyte.gz")
    raw = bytearray(path.read_bytes())
    raw[100] = (raw[100] + 1) % 10
    path.write_bytes(bytes(raw))
    with pytest.raises(data.MNISTDataError, match="MD5") as exc:
        data.load_numpy("test", mnist_copy)
    _assert_clear(exc, "t10k-labels-idx1-ubyte")
    path.write_bytes(bytes(raw[:-5]))
    with pytest.raises(data.MNISTDataError, match="截断"):
        data.load_numpy("test", mnist_copy)


@pytest.mark.parametrize("decompressed", [False, True], ids=["gz", "raw"])
def test_empty_file_says_empty(mnist_copy, decompressed):
    path = mnist_copy / "t10k-images-idx3-ubyte.gz"
    if decompressed:
        path = _decompress(path)
    path.write_bytes(b"")
    with pytest.raises(data.MNISTDataError, match="空") as exc:
        data.load_numpy("test", mnist_copy)
    _assert_clear(exc, path.name)
    assert "empty" in str(exc.value) and "魔数" not in str(exc.value)


def test_gzip_of_nothing_says_empty(mnist_copy):
    path = mnist_copy / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(b""))
    with pytest.raises(data.MNISTDataError, match="空") as exc:
        data.load_numpy("test", mnist_copy)
    _assert_clear(exc, path.name)


def test_header_cut_short_says_truncated(mnist_copy):
    path = _decompress(mnist_copy / "t10k-images-idx3-ubyte.gz")
    path.write_bytes(path.read_bytes()[:10])
    with pytest.raises(data.MNISTDataError, match="截断") as exc:
        data.load_numpy("test", mnist_copy)
    assert "魔数" not in str(exc.value)


def test_wrong_checksum(mnist_copy):
    path = mnist_copy / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # 改一个标签：格式正确但内容不对
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(data.MNISTDataError, match="MD5") as exc:
        data.load_numpy("test", mnist_copy)
    _assert_clear(exc, path.name)


def test_repaired_file_is_reread(mnist_copy, mnist_dir):
    path = mnist_copy / "t10k-labels-idx1-ubyte.gz"
    good = path.read_bytes()
    path.write_text("broken")
    with pytest.raises(data.MNISTDataError):
        data.load_numpy("test", mnist_copy)
    path.write_bytes(good)
    os.utime(path, ns=(1, 1))
    assert len(data.load_numpy("test", mnist_copy)[1]) == 10000


def _run_python(code, **env):
    full = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=full, timeout=300
    )


def test_no_network_and_no_local_files(tmp_path):
    """没有本地文件时会尝试下载；本机不能联网，必须得到清楚的错误而不是崩溃或挂起。"""
    home = tmp_path / "home"
    home.mkdir()
    code = """
        import lenet.data as d
        try:
            d.load_numpy("test")
        except d.MNISTDataError as e:
            print("ERROR:", e)
    """
    proc = _run_python(
        code,
        HOME=str(home),
        LENET_DATA_DIR="",
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
    )
    assert "ERROR:" in proc.stdout, proc.stdout + proc.stderr
    assert "下载" in proc.stdout and "download" in proc.stdout
    assert str(home / ".cache" / "paddle" / "dataset" / "mnist") in proc.stdout


def test_local_files_never_touch_network(mnist_dir, tmp_path):
    """本地有文件时不联网：把网络接口换成抛异常的函数也能正常读完。"""
    code = """
        import socket
        def refuse(*a, **k):
            raise AssertionError("network used")
        socket.socket.connect = refuse
        socket.getaddrinfo = refuse
        import lenet.data as d
        for split in ("train", "test"):
            assert len(d.mnist_dataset(split)) in (60000, 10000)
        print("OK")
    """
    proc = _run_python(code, LENET_DATA_DIR=str(mnist_dir))
    assert proc.stdout.strip().endswith("OK"), proc.stderr


@pytest.mark.parametrize("first", ["paddle", "lenet"])
def test_import_order_does_not_crash(mnist_dir, first):
    """Paddle 2.x 先于 gzip 导入时进程内解压会段错误；无论读者先导入什么都必须正常读取。"""
    code = f"""
        import {first}
        import paddle, lenet.data as d
        x, y = d.load_numpy("test")
        print("OK", x.shape, int(y.sum()))
    """
    proc = _run_python(code, LENET_DATA_DIR=str(mnist_dir))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "OK (10000, 28, 28)" in proc.stdout


def test_shift_moves_digits_and_fills_with_background():
    img = np.zeros((2, 5, 5), dtype=np.uint8)
    img[:, 1, 1] = 200
    img[:, 4, 4] = 90
    right_down = data.shift(img, dx=2, dy=1)
    assert right_down[0, 2, 3] == 200 and right_down.sum() == 2 * 200  # 右下角的像素移出边界，不绕回
    assert right_down.dtype == np.uint8 and right_down.shape == img.shape
    back = data.shift(right_down, dx=-2, dy=-1)
    assert back[1, 1, 1] == 200 and back[1, 4, 4] == 0
    assert np.array_equal(data.shift(img), img)
    assert not data.shift(img, dx=5).any() and not data.shift(img, dy=-7).any()
