"""lenet.preprocess：读者自己的手写数字图片 → MNIST 式 28×28。"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lenet import preprocess as P
from lenet.data import load_numpy


@pytest.fixture(scope="module")
def digits(mnist_dir):
    images, labels = load_numpy("test", mnist_dir)
    return images[:300], labels[:300]


def _bilingual(exc, path=None):
    text = str(exc)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text  # 中文
    assert "Fix:" in text and "修复方法" in text
    if path is not None:
        assert str(path) in text
    return text


def _photo(digit, seed=0, **kw):
    return P.photo_like(digit, np.random.default_rng(seed), **kw)


# ---------------------------------------------------------------- 坏输入


def test_missing_file(tmp_path):
    path = tmp_path / "nope.png"
    with pytest.raises(P.ImageError) as e:
        P.preprocess(path)
    assert "not found" in _bilingual(e.value, path)


def test_directory_is_not_an_image(tmp_path):
    with pytest.raises(P.ImageError) as e:
        P.preprocess(tmp_path)
    _bilingual(e.value, tmp_path)


def test_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "digit.png"
    path.write_text("这不是图片 / not an image", encoding="utf-8")
    with pytest.raises(P.ImageError) as e:
        P.preprocess(path)
    assert "not an image" in _bilingual(e.value, path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(P.ImageError) as e:
        P.preprocess(path)
    _bilingual(e.value, path)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image(tmp_path, digits, fmt):
    path = tmp_path / f"cut.{fmt.lower()}"
    Image.fromarray(_photo(digits[0][0])).save(path, fmt)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(P.ImageError) as e:
        P.preprocess(path)
    assert "corrupt" in _bilingual(e.value, path)


@pytest.mark.parametrize("value", [0, 128, 255])
def test_blank_image_has_no_ink(tmp_path, value):
    path = tmp_path / "blank.png"
    Image.fromarray(np.full((60, 80), value, np.uint8)).save(path)
    with pytest.raises(P.ImageError) as e:
        P.preprocess(path)
    assert "no ink" in _bilingual(e.value, path)


@pytest.mark.parametrize("seed", range(5))
def test_blank_noisy_photo_has_no_ink(tmp_path, seed):
    path = tmp_path / "paper.png"
    Image.fromarray(_photo(np.zeros((28, 28), np.uint8), seed, noise=0.06)).save(path)
    with pytest.raises(P.ImageError) as e:
        P.preprocess(path)
    assert "no ink" in _bilingual(e.value, path)


def test_center_digit_without_ink():
    with pytest.raises(P.ImageError):
        P.center_digit(np.zeros((10, 10)))


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    Image.new("L", (400, 300), 255).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # 400×300 > 2 × 10,000：Pillow 拒绝解码
    with pytest.raises(P.ImageError) as e:
        P.preprocess(path)
    assert "too many pixels" in _bilingual(e.value, path)


# ---------------------------------------------------------------- 格式与极性


def _reference(digit):
    """同一张数字：浅色纸上的深色字，灰度。"""
    return (255 - np.asarray(Image.fromarray(digit).resize((112, 112), Image.Resampling.BICUBIC))).astype(np.uint8)


@pytest.mark.parametrize("kind", ["L.png", "RGB.png", "RGBA.png", "P.png", "I16.png", "L.bmp", "RGB.jpg", "L.jpg"])
def test_file_formats_agree(tmp_path, digits, kind):
    gray = _reference(digits[0][0])
    expected = P.preprocess(gray)
    mode, ext = kind.split(".")
    path = tmp_path / f"digit-{kind}"
    if mode == "I16":
        img = Image.fromarray(gray.astype(np.uint16) * 257)  # 16 位灰度 PNG
        assert img.mode.startswith("I;16")
    elif mode == "RGBA":
        # 黑色笔迹画在透明背景上（网页画板导出的常见格式）
        rgba = np.zeros((*gray.shape, 4), np.uint8)
        rgba[..., 3] = 255 - gray
        img = Image.fromarray(rgba, "RGBA")
    else:
        img = Image.fromarray(gray).convert(mode)
    img.save(path)
    out = P.preprocess(path)
    assert out.shape == (28, 28) and out.dtype == np.uint8
    tolerance = 12 if ext == "jpg" else 2  # JPEG 有损
    assert np.abs(out.astype(int) - expected).mean() < tolerance


def test_polarity_dark_on_light_equals_light_on_dark(digits):
    gray = _reference(digits[0][0])
    a = P.preprocess_steps(gray)
    b = P.preprocess_steps(255 - gray)
    assert a["info"]["inverted"] and not b["info"]["inverted"]
    assert np.abs(a["result"].astype(int) - b["result"]).max() <= 3


def test_exif_orientation_is_applied(tmp_path, digits):
    gray = _reference(digits[0][0])
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # 相机横着拍：显示时顺时针转 90°
    Image.fromarray(np.rot90(gray, 1).copy()).save(path, exif=exif, quality=95)
    out = P.preprocess(path)
    assert np.abs(out.astype(int) - P.preprocess(gray)).mean() < 12


# ---------------------------------------------------------------- 几何核心


def test_round_half_up_and_box_size():
    assert [P.round_half_up(x) for x in (0.5, 1.5, 2.5, -0.5, 2.49)] == [1, 2, 3, 0, 2]
    assert P.box_size(100, 50) == (20, 10)
    assert P.box_size(40, 7) == (20, 4)  # 3.5 → 4
    assert P.box_size(13, 200) == (1, 20)  # 1.3 → 1
    assert P.box_size(1, 1000) == (1, 20)  # 至少 1 像素
    assert P.box_size(5, 5) == (20, 20)


def test_area_resize_is_exact_block_mean():
    rng = np.random.default_rng(0)
    a = rng.random((40, 60))
    out = P.area_resize(a, 20, 30)
    assert np.allclose(out, a.reshape(20, 2, 30, 2).mean(axis=(1, 3)))
    b = rng.random((30, 7))  # 非整数倍：总墨水量按面积守恒
    r = P.area_resize(b, 20, 5)
    assert np.isclose(r.sum() * (30 / 20) * (7 / 5), b.sum())
    assert np.allclose(P.area_resize(np.ones((3, 3)), 20, 20), 1.0)  # 放大


def test_center_digit_places_the_centre_of_mass_at_14():
    rng = np.random.default_rng(1)
    for _ in range(50):
        ink = np.zeros((200, 300))
        h, w = rng.integers(10, 150, 2)
        y, x = rng.integers(0, 200 - h), rng.integers(0, 300 - w)
        ink[y : y + h, x : x + w] = rng.random((h, w)) ** 3  # 质心偏离外接框中心
        out = P.center_digit(ink)
        rows, cols = np.flatnonzero(out.any(1)), np.flatnonzero(out.any(0))
        assert max(rows.size, cols.size) == 20 and rows.size == rows[-1] - rows[0] + 1
        cy, cx = P.center_of_mass(out)
        inside = 0 < rows[0] and rows[-1] < 27 and 0 < cols[0] and cols[-1] < 27
        if inside:  # 没被画布边缘截住时，整数平移后质心离 14 不到半个像素
            assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5


def test_center_digit_algorithm_by_hand():
    """按文档逐步手算一个小例子（移植到其他语言时可对照）。"""
    ink = np.zeros((6, 9))
    ink[1:5, 2:4] = 1.0  # 4×2 的竖条：长边 4 → 20，短边 2 → 10
    out = P.center_digit(ink)
    rows, cols = np.flatnonzero(out.any(1)), np.flatnonzero(out.any(0))
    # 20×10 的块质心在 (9.5, 4.5)：左上角 = (⌊14 − 9.5 + 0.5⌋, ⌊14 − 4.5 + 0.5⌋) = (5, 10)
    assert (rows[0], rows[-1], cols[0], cols[-1]) == (5, 24, 10, 19)
    assert np.allclose(out[5:25, 10:20], 1.0) and np.isclose(out.sum(), 200)


# ---------------------------------------------------------------- 多块笔迹与大图


def test_noise_specks_are_removed(digits):
    gray = _reference(digits[0][0])
    clean = P.preprocess(gray)
    speckled = np.pad(gray, 40, constant_values=255)
    for y, x in [(5, 5), (10, 170), (180, 20), (175, 160)]:  # 远处的 3×3 墨点
        speckled[y : y + 3, x : x + 3] = 0
    steps = P.preprocess_steps(speckled)
    assert steps["info"]["blobs"] >= 5 and steps["info"]["blobs_kept"] < steps["info"]["blobs"]
    assert np.abs(steps["result"].astype(int) - clean).mean() < 2


def test_separated_strokes_are_kept_together():
    ink = np.full((100, 100), 255, np.uint8)
    ink[10:90, 60:68] = 0  # 竖
    ink[10:16, 20:52] = 0  # 与竖分开的一横（像 5 或 7 断开的笔画）
    steps = P.preprocess_steps(ink)
    assert steps["info"]["blobs_kept"] == 2
    assert steps["crop"].shape[1] >= 48  # 外接框包含两笔


def test_huge_image_is_downscaled_first(tmp_path, digits):
    gray = _reference(digits[0][0])
    big = np.asarray(Image.fromarray(gray).resize((3000, 4000), Image.Resampling.BILINEAR))
    for name in ("huge.png", "huge.jpg", "huge16.png"):
        path = tmp_path / name
        if name == "huge16.png":
            Image.fromarray(big.astype(np.uint16) * 257).save(path, compress_level=1)  # 16 位
        elif name.endswith(".png"):
            Image.fromarray(big).save(path, compress_level=1)
        else:
            Image.fromarray(big).save(path)
        loaded = P.load_gray(path)
        assert max(loaded.shape) == P.MAX_SIDE
        assert np.abs(P.preprocess(path).astype(int) - P.preprocess(gray)).mean() < 12


# ---------------------------------------------------------------- 真实数字


def test_mnist_digits_come_back_almost_unchanged(digits):
    """MNIST 的数字本来就是这样做出来的：再处理一遍几乎不变。"""
    images, _ = digits
    diffs = [np.abs(P.preprocess(img).astype(int) - img).mean() for img in images[:200]]
    assert np.mean(diffs) < 3  # 0..255 上平均差不到 3 级


def test_photo_like_digits_match_the_originals(digits):
    images, _ = digits
    rng = np.random.default_rng(0)
    diffs, shifts = [], []
    for img in images[:100]:
        steps = P.preprocess_steps(P.photo_like(img, rng))
        assert steps["info"]["inverted"]
        diffs.append(np.abs(steps["result"].astype(int) - img).mean())
        shifts.append(np.hypot(*np.subtract(P.center_of_mass(steps["result"]), P.center_of_mass(img))))
    assert np.mean(diffs) < 15 and np.median(shifts) < 0.75


def test_photo_like_is_a_light_noisy_rgb_photo(digits):
    photo = _photo(digits[0][0], size=(120, 150))
    assert photo.shape == (120, 150, 3) and photo.dtype == np.uint8
    assert np.median(photo) > 150 and photo.std() > 5


def test_classify_returns_probabilities(tmp_path, digits):
    from lenet.model import LeNet

    paths = []
    for i in range(3):
        paths.append(tmp_path / f"{i}.png")
        Image.fromarray(_photo(digits[0][i], i)).save(paths[-1])
    rows = P.classify(LeNet("relu"), paths)
    assert [r["file"] for r in rows] == [str(p) for p in paths]
    for r in rows:
        assert 0 <= r["digit"] <= 9 and np.isclose(sum(r["probabilities"]), 1.0)
        assert r["probability"] == max(r["probabilities"])


def test_preprocess_does_not_import_paddle():
    code = "import sys, numpy as np, lenet.preprocess as p; p.center_digit(np.eye(5)); print('paddle' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_example_photos_are_made_by_the_tool(tmp_path, mnist_dir):
    """notebooks/handwriting/ 的示例图由 tools/make_handwriting_examples.py 从 MNIST 测试集生成。"""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [
            sys.executable,
            str(root / "tools" / "make_handwriting_examples.py"),
            "--out",
            str(tmp_path),
            "--data-dir",
            str(mnist_dir),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    made = sorted(p.name for p in tmp_path.glob("*.jpg"))
    shipped = sorted(p.name for p in (root / "notebooks" / "handwriting").glob("*.jpg"))
    assert made == shipped and len(made) == 5
    _, labels = load_numpy("test", mnist_dir)
    for name in made:
        index, digit = int(name[4:8]), int(name.split("digit")[1][0])
        assert labels[index] == digit  # 文件名里的答案就是测试集的标签
        with Image.open(tmp_path / name) as img:
            assert img.size == (360, 480) and img.mode == "RGB"
        assert P.preprocess_steps(tmp_path / name)["info"]["inverted"]
