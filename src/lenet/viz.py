"""本书的所有图，以及让图中中文正常显示的字体设置。"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

# 系统里常见的中文字体（Linux / macOS / Windows / AI Studio），按优先级排列
SYSTEM_CJK_FONTS = [
    "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Hiragino Sans GB", "STHeiti",
    "Noto Sans CJK JP", "Noto Sans CJK TC",
]
_font_name: str | None = None


def _mplfonts_font() -> str | None:
    """PyPI 包 mplfonts 自带 Noto Sans CJK SC；装了它就在任何系统上都有中文字体。"""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.is_file():
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def setup_fonts() -> str | None:
    """让 matplotlib 用中文字体并正常显示负号；返回所用字体名，找不到中文字体时返回 None 并给出提示。"""
    global _font_name
    if _font_name is None:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        found = next((name for name in SYSTEM_CJK_FONTS if name in installed), None)
        _font_name = found or _mplfonts_font()
    if _font_name is None:
        warnings.warn(
            "没有找到中文字体，图中的中文会显示成方框。请 `pip install mplfonts`，"
            "或安装 Noto Sans CJK / 文泉驿字体。\n"
            "No CJK font found: Chinese text in figures will show as boxes. "
            "Install mplfonts (pip) or a Noto Sans CJK / WenQuanYi font.",
            stacklevel=2,
        )
    else:
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["font.sans-serif"] = [_font_name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return _font_name


# ---------------------------------------------------------------- 数据

def show_digits(images, labels=None, predictions=None, ncols: int = 10, size: float = 1.0,
                title: str | None = None):
    """把若干张 28×28 灰度图排成网格；标题写真实标签，给了预测时写“预测/真实”，错的标红。"""
    setup_fonts()
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * 1.25),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=255)
        if predictions is not None:
            ok = labels is None or predictions[i] == labels[i]
            text = f"预测 {predictions[i]}" if labels is None else f"{predictions[i]} / {labels[i]}"
            ax.set_title(text, fontsize=9, color="black" if ok else "crimson")
        elif labels is not None:
            ax.set_title(f"标签 {labels[i]}", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_pixels(image, ax=None):
    """把一张图的每个像素值写在格子里（28×28 的数字矩阵）。"""
    setup_fonts()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
    for (r, c), v in np.ndenumerate(image):
        if v:
            ax.text(c, r, str(int(v)), ha="center", va="center", fontsize=5,
                    color="white" if v > 128 else "black")
    ax.set_xticks(range(0, 28, 4))
    ax.set_yticks(range(0, 28, 4))
    ax.set_xlabel("列")
    ax.set_ylabel("行")
    return ax


def plot_label_counts(counts: dict, ax=None):
    """各数字的样本数柱状图；counts 形如 {"训练集": array(10), "测试集": array(10)}。"""
    setup_fonts()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / len(counts)
    for i, (name, c) in enumerate(counts.items()):
        ax.bar(np.arange(10) + (i - (len(counts) - 1) / 2) * width, c, width, label=name)
    ax.set_xticks(range(10))
    ax.set_xlabel("数字")
    ax.set_ylabel("样本数")
    ax.legend()
    return ax


# ---------------------------------------------------------------- 训练

def plot_history(histories: dict):
    """训练曲线：左图损失、右图准确率；每个配置画训练集（实线）和测试集（虚线）。

    histories 形如 {"sigmoid": [每轮一个 dict, 含 train_loss/train_acc/test_loss/test_acc]}。
    """
    setup_fonts()
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, (name, hist) in enumerate(histories.items()):
        color = f"C{i}"
        epochs = [h["epoch"] for h in hist]
        for ax, key in ((ax_loss, "loss"), (ax_acc, "acc")):
            ax.plot(epochs, [h["train_" + key] for h in hist], "-o", color=color,
                    label=f"{name} 训练集")
            if "test_" + key in hist[0]:
                ax.plot(epochs, [h["test_" + key] for h in hist], "--s", color=color,
                        label=f"{name} 测试集")
    ax_loss.set_ylabel("平均交叉熵损失")
    ax_acc.set_ylabel("准确率")
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel("轮次（epoch）")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
