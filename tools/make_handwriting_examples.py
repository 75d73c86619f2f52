"""生成 notebooks/handwriting/ 里的示例图片：把 MNIST **测试集**的几个数字做成“手机拍的纸上手写”。

测试集的数字不在训练集里，所以这些图对模型来说是没见过的。每张图：米白色的纸、深色墨水、
一侧偏暗的光照、噪声，数字偏离中心、比 28×28 大得多（见 ``lenet.preprocess.photo_like``），存成 JPEG。
文件名写着测试集的下标和正确答案：``test<下标>-digit<数字>.jpg``。

    python tools/make_handwriting_examples.py            # 写到 notebooks/handwriting/
    python tools/make_handwriting_examples.py --out DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from lenet import data  # noqa: E402
from lenet.preprocess import photo_like  # noqa: E402

# 测试集中的下标：挑了几个不同的数字，笔迹粗细、倾斜各不相同
INDICES = (0, 1, 18, 61, 62)
SIZE = (480, 360)  # 高 × 宽：竖拍的照片，缩小后
SEED = 2024


def make(out_dir: Path, data_dir=None) -> list[Path]:
    images, labels = data.load_numpy("test", data_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    paths = []
    for i in INDICES:
        photo = photo_like(images[i], rng, size=SIZE, digit_fraction=(0.35, 0.5), noise=0.025)
        path = out_dir / f"test{i:04d}-digit{labels[i]}.jpg"
        Image.fromarray(photo).save(path, quality=85)
        paths.append(path)
    return paths


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks" / "handwriting")
    parser.add_argument("--data-dir", help="MNIST 目录（默认按 lenet.data 的查找顺序）")
    args = parser.parse_args(argv)
    for path in make(args.out, args.data_dir):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path, f"{path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
