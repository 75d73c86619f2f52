"""本书的所有图，按章节顺序排列（第 1 章到附录）。

约定（每个公开函数都遵守）：

- **返回值**：参数里有 ``ax`` 的函数，传入 ``ax`` 就画在它上面并返回这个 ``ax``；不传则新建一张图，
  返回 ``Figure``。没有 ``ax`` 参数的函数（多子图、整张示意图）总是返回 ``Figure``。
  要改新建图里的坐标轴：``fig.axes[0]``。
- **中文字体**：每个公开函数都带 :func:`lenet.fonts.with_cjk_font` 装饰器，画图前设置好中文字体；
  新增的函数也要加上（``tests/test_viz.py`` 检查）。在自己的代码里画图时调用 ``viz.setup_fonts()``
  （即 :func:`lenet.fonts.setup_fonts`）。
- 图像默认是 0..255 的 uint8、28×28；标题与坐标轴用中文。
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle

from .fonts import setup_fonts as setup_fonts  # 章节里直接调用 viz.setup_fonts()
from .fonts import with_cjk_font

EPOCH_LABEL = "轮次（epoch）"


def _axes(ax, figsize):
    """返回 (要画的 ax, 函数的返回值)：给了 ``ax`` 就画在它上面、返回它；否则新建一张图、返回图。"""
    if ax is not None:
        return ax, ax
    fig, ax = plt.subplots(figsize=figsize)
    return ax, fig


# ---------------------------------------------------------------- 第 1 章 任务介绍


@with_cjk_font
def plot_task(images, labels, title: str | None = "任务：图像 → 模型 → 数字"):
    """任务示意图：左边一列手写数字图像，中间是模型，右边是模型应输出的数字（0～9）。"""
    n = len(images)
    fig = plt.figure(figsize=(8, 0.9 * n + 0.6))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.3, n + 0.6)
    ax.axis("off")
    # 模型方框
    box = FancyBboxPatch(
        (3.6, 0.1), 2.8, n - 0.2, boxstyle="round,pad=0.1", facecolor="#e8f0fb", edgecolor="#3b6fb6", linewidth=1.5
    )
    ax.add_patch(box)
    ax.text(5.0, n / 2 + 0.25, "模型", ha="center", va="center", fontsize=18)
    ax.text(5.0, n / 2 - 0.35, "LeNet-5", ha="center", va="center", fontsize=12, color="#3b6fb6")
    for i in range(n):
        y = n - 1 - i + 0.5
        ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=255, extent=(0.8, 1.6, y - 0.4, y + 0.4))
        for x0, x1 in ((1.8, 3.5), (6.5, 8.2)):
            ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=12, color="gray"))
        ax.add_patch(
            FancyBboxPatch(
                (0.8, y - 0.4),
                0.8,
                0.8,
                boxstyle="square,pad=0",
                facecolor="none",
                edgecolor="lightgray",
                linewidth=0.8,
            )
        )
        ax.text(8.8, y, str(labels[i]), ha="center", va="center", fontsize=20, weight="bold")
    ax.text(1.2, n + 0.3, "输入：28×28 图像", ha="center", fontsize=10)
    ax.text(8.8, n + 0.3, "输出：数字", ha="center", fontsize=10)
    if title:
        fig.suptitle(title, y=1.04)
    return fig


def _digit_grid(images, titles, colors, ncols: int, size: float, height: float, title):
    """把若干张 28×28 灰度图排成网格，每张配一个标题（颜色可各不相同）。"""
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * size * height), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=255)
            if titles[i]:
                ax.set_title(titles[i], fontsize=9, color=colors[i])
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


@with_cjk_font
def show_digits(images, labels=None, predictions=None, ncols: int = 10, size: float = 1.0, title: str | None = None):
    """把若干张 28×28 灰度图排成网格；标题写真实标签，给了预测时写“预测/真实”，错的标红。（第 1、3、6、7 章）"""
    titles, colors = [], []
    for i in range(len(images)):
        if predictions is not None:
            ok = labels is None or predictions[i] == labels[i]
            titles.append(f"预测 {predictions[i]}" if labels is None else f"{predictions[i]} / {labels[i]}")
            colors.append("black" if ok else "crimson")
        else:
            titles.append(f"标签 {labels[i]}" if labels is not None else None)
            colors.append("black")
    return _digit_grid(images, titles, colors, ncols, size, 1.25, title)


# ---------------------------------------------------------------- 第 2 章 模型原理


# 结构图里各阶段的 (层名, 本书的中文名, 通向下一阶段的运算说明)；层名与 model.LeNet 的子层一致
_STAGES = [
    ("input", "输入", "L1 卷积\n6 个 5×5"),
    ("conv1", "L1 卷积层", "L2 池化\n2×2 取最大"),
    ("pool1", "L2 池化层", "L3 卷积\n16 个\n6×5×5"),
    ("conv2", "L3 卷积层", "L4 池化\n2×2 取最大"),
    ("pool2", "L4 池化层", "展平"),
    ("flatten", "展平", "L5"),
    ("fc1", "L5 全连接", "L6"),
    ("fc2", "L6 全连接", "L7"),
    ("fc3", "L7 输出", None),
]
# 同样的阶段在 1998 年论文里的名字与运算（C5 在论文里是 120 个 5×5 卷积核、输出 120 个 1×1，等价于 400 → 120 的全连接）
_STAGES_1998 = [
    ("input", "输入", "C1 卷积\n6 个 5×5"),
    ("conv1", "C1", "S2 下采样\n2×2 求和\n×系数+偏置"),
    ("pool1", "S2", "C3 卷积\n16 个，\n部分连接"),
    ("conv2", "C3", "S4 下采样"),
    ("pool2", "S4", "C5 卷积\n120 个\n16×5×5"),
    ("flatten", "（C5 的输入）", "C5"),
    ("fc1", "C5", "F6"),
    ("fc2", "F6", "RBF"),
    ("fc3", "输出（RBF）", None),
]


def _draw_stages(ax, stages, shape, y: float = 0.0, vector_max: int = 256, feature_color="#dbe8f7") -> float:
    """在 ax 上从左到右画一行网络结构（特征图画成一叠方块，向量画成竖条），返回这一行的右端。"""
    x = 0.0
    spans = []
    for name, zh, _ in stages:
        s = shape[name]
        if len(s) == 3:  # 特征图：C×H×W，画成一叠方块
            c, h = s[0], s[1]
            side = 0.3 + 1.9 * h / 28
            n_draw = min(c, 8)
            off = 0.12
            for k in range(n_draw):
                ax.add_patch(
                    Rectangle(
                        (x + k * off, y - side / 2 + k * off),
                        side,
                        side,
                        facecolor=feature_color if name != "input" else "#eeeeee",
                        edgecolor="#2f5d99",
                        linewidth=0.9,
                    )
                )
            width = side + (n_draw - 1) * off
            label = "×".join(str(v) for v in s)
        else:  # 向量：画成竖条，高度随长度变化
            n = s[0]
            height = 0.5 + 2.3 * n / vector_max
            width = 0.28
            ax.add_patch(
                Rectangle((x, y - height / 2), width, height, facecolor="#fde3c8", edgecolor="#b5651d", linewidth=0.9)
            )
            label = str(n)
        spans.append((x, x + width))
        ax.text(x + width / 2, y - 1.55, f"{zh}\n{label}", ha="center", va="top", fontsize=12)
        x += width + 2.3
    for (_name, _, op), (a, b) in zip(stages[:-1], zip(spans[:-1], spans[1:])):
        x0, x1 = a[1] + 0.08, b[0] - 0.08
        ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=10, color="gray"))
        ax.text(
            (x0 + x1) / 2,
            y + (0.35 if "\n" not in op else 0.25),
            op,
            ha="center",
            va="bottom",
            fontsize=10,
            color="#444444",
        )
    return x


@with_cjk_font
def plot_architecture(shapes=None):
    """LeNet-5 结构图：每一层的特征图画成一叠方块（全连接层画成竖条），下方写中文层名与输出形状。

    ``shapes`` 为 ``model.trace_shapes`` 的结果；不给时用一个新建的 ``LeNet`` 现算。
    """
    if shapes is None:
        from .model import LeNet, trace_shapes

        shapes = trace_shapes(LeNet())
    shape = {name: s[1:] for name, s in shapes}  # 去掉批维度
    fig, ax = plt.subplots(figsize=(12, 4.0))
    ax.set_aspect("equal")
    ax.axis("off")
    x = _draw_stages(ax, _STAGES, shape)
    ax.set_xlim(-0.5, x - 1.9)
    ax.set_ylim(-2.6, 1.8)
    ax.set_title("LeNet-5（本课程版本）：各层输出形状（通道×高×宽）", fontsize=14)
    fig.tight_layout()
    return fig


def _grid(ax, values, title, highlight=None, color="#f5b041", fmt="{:g}"):
    """把一个小矩阵画成带数字的格子；highlight=(行, 列, 高, 宽) 时给那一块加底色和粗框。"""
    values = np.asarray(values)
    rows, cols = values.shape
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if highlight is not None:
        r, c, h, w = highlight
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, facecolor=color, alpha=0.45, edgecolor="none"))
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), w, h, facecolor="none", edgecolor="#c0392b", linewidth=2.5))
    for (r, c), v in np.ndenumerate(values):
        ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=12)
    for k in range(rows + 1):
        ax.axhline(k - 0.5, color="gray", linewidth=0.8)
    for k in range(cols + 1):
        ax.axvline(k - 0.5, color="gray", linewidth=0.8)
    ax.set_title(title, fontsize=11)


@with_cjk_font
def plot_conv_example(x, kernel, out, pos=(0, 0)):
    """卷积的滑动窗口：输入上框出窗口、卷积核、输出上对应的那个元素（pos 为输出的行、列）。"""
    x, kernel, out = np.asarray(x), np.asarray(kernel), np.asarray(out)
    r, c = pos
    k = kernel.shape[0]
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), gridspec_kw={"width_ratios": [x.shape[1], k, out.shape[1]]})
    _grid(axes[0], x, f"输入 {x.shape[0]}×{x.shape[1]}（框出的是窗口）", (r, c, k, k))
    _grid(axes[1], kernel, f"卷积核 {k}×{k}", (0, 0, k, k), color="#aed6f1")
    _grid(axes[2], out, f"输出 {out.shape[0]}×{out.shape[1]}", (r, c, 1, 1))
    fig.suptitle(f"输出第 {r} 行第 {c} 列 = 窗口与卷积核逐元素相乘再求和", fontsize=12)
    fig.tight_layout()
    return fig


@with_cjk_font
def plot_multichannel_conv(maps, kernel, bias: float, out, pos=(0, 0), decimals: int = 3):
    """多输入通道的卷积：一个 C×k×k 的卷积核同时看输入的全部 C 个通道，把 C 个部分和加起来得到一个数。

    ``maps`` 形如 (C, H, W)（如 L2 的 6×12×12 输出），``kernel`` 形如 (C, k, k)（L3 的一个 6×5×5 卷积核），
    ``bias`` 是这个卷积核的偏置，``out`` 是它的输出特征图 (H', W')，``pos`` 为输出的（行, 列）。
    第一行：每个输入通道，红框是窗口；第二行：卷积核对应的切片；第三行：该通道“窗口 × 切片”逐元素相乘再求和的部分和；
    右列：输出特征图（红框是 pos）和“部分和之和 + 偏置 = 输出”。返回 Figure。
    """
    maps, kernel, out = np.asarray(maps, float), np.asarray(kernel, float), np.asarray(out, float)
    c_in, k = kernel.shape[0], kernel.shape[-1]
    r, c = pos
    partial = (maps[:, r : r + k, c : c + k] * kernel).sum(axis=(1, 2))
    fmt = f"{{:.{decimals}f}}"
    fig = plt.figure(figsize=(1.55 * c_in + 2.6, 5.2))
    grid = fig.add_gridspec(3, c_in + 1, width_ratios=[1] * c_in + [1.5], height_ratios=[1, 0.75, 0.45])
    vmax = float(np.abs(kernel).max()) or 1.0
    for ch in range(c_in):
        ax = fig.add_subplot(grid[0, ch])
        ax.imshow(maps[ch], cmap="viridis", vmin=maps.min(), vmax=maps.max())
        ax.add_patch(Rectangle((c - 0.5, r - 0.5), k, k, fill=False, edgecolor="#e74c3c", linewidth=2))
        ax.set_title(f"输入通道 {ch}", fontsize=9)
        ax_k = fig.add_subplot(grid[1, ch])
        ax_k.imshow(kernel[ch], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax_k.set_title(f"核的第 {ch} 片 {k}×{k}", fontsize=8)
        ax_p = fig.add_subplot(grid[2, ch])
        ax_p.axis("off")
        ax_p.text(0.5, 0.5, fmt.format(partial[ch]), ha="center", va="center", fontsize=11, color="#c0392b")
        if ch:
            ax_p.text(-0.08, 0.5, "+", ha="center", va="center", fontsize=13, transform=ax_p.transAxes)
        for a in (ax, ax_k):
            a.set_xticks([])
            a.set_yticks([])
    ax_o = fig.add_subplot(grid[0:2, c_in])
    ax_o.imshow(out, cmap="viridis")
    ax_o.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="#e74c3c", linewidth=2))
    ax_o.set_xticks([])
    ax_o.set_yticks([])
    ax_o.set_title(f"输出的一个通道 {out.shape[0]}×{out.shape[1]}\n（第 {r} 行第 {c} 列）", fontsize=9)
    ax_s = fig.add_subplot(grid[2, c_in])
    ax_s.axis("off")
    ax_s.text(
        0.5,
        0.5,
        f"= {fmt.format(partial.sum())}\n+ 偏置 {fmt.format(bias)}\n= {fmt.format(partial.sum() + bias)}",
        ha="center",
        va="center",
        fontsize=10,
        transform=ax_s.transAxes,
    )
    fig.suptitle(
        f"一个 {c_in}×{k}×{k} 的卷积核：每个输入通道各自与核的一片相乘求和（红色数字），\n"
        f"{c_in} 个部分和相加、再加偏置，得到输出的一个数",
        fontsize=11,
    )
    return fig


@with_cjk_font
def plot_pool_example(x, out, size: int = 2):
    """2×2 最大池化：输入按 size×size 不重叠分块并着色，每块的最大值成为输出的一个元素。"""
    x, out = np.asarray(x), np.asarray(out)
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), gridspec_kw={"width_ratios": [x.shape[1], out.shape[1]]})
    colors = ["#f5b041", "#aed6f1", "#abebc6", "#d7bde2"]
    _grid(axes[0], x, f"输入 {x.shape[0]}×{x.shape[1]}")
    _grid(axes[1], out, f"输出 {out.shape[0]}×{out.shape[1]}")
    for i, (r, c) in enumerate(np.ndindex(out.shape)):
        color = colors[i % len(colors)]
        axes[0].add_patch(
            Rectangle((c * size - 0.5, r * size - 0.5), size, size, facecolor=color, alpha=0.45, edgecolor="none")
        )
        axes[1].add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=color, alpha=0.45, edgecolor="none"))
        block = x[r * size : (r + 1) * size, c * size : (c + 1) * size]
        br, bc = np.unravel_index(block.argmax(), block.shape)
        axes[0].add_patch(
            Rectangle(
                (c * size + bc - 0.5, r * size + br - 0.5), 1, 1, facecolor="none", edgecolor="#c0392b", linewidth=2
            )
        )
    fig.suptitle(f"{size}×{size} 最大池化（步长 {size}）：每块取最大值（红框）", fontsize=12)
    fig.tight_layout()
    return fig


@with_cjk_font
def plot_padding_stride(cases, n: int = 5, kernel: int = 3, image=None, ncols: int = 3):
    """填充（padding）与步长（stride）对输出大小的影响。

    ``cases`` 形如 [(填充, 步长), ...]，每种一幅小图：n×n 的输入（白格）外加填充的几圈 0（灰格），
    红框是第一个窗口（输出左上角的那个数），蓝色虚框是向右走一步（步长 s 格）后的窗口，右边是输出网格；
    输出边长由 :func:`lenet.model.conv_output_size` 按公式算出，写在小图标题里。
    给了 ``image``（28×28）时再加一幅：1998 年的原版把数字四周补 2 圈 0 成 32×32，5×5 卷积后仍是 28×28。返回 Figure。
    """
    from .model import conv_output_size

    panels = len(cases) + (image is not None)
    ncols = min(ncols, panels)
    nrows = int(np.ceil(panels / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.7 * nrows), squeeze=False)
    axes = axes.ravel()
    for ax in axes[panels:]:
        ax.axis("off")
    for ax, (p, s) in zip(axes, cases):
        size = n + 2 * p
        o = conv_output_size(n, kernel, stride=s, padding=p)
        for i, j in np.ndindex(size, size):
            inside = p <= i < p + n and p <= j < p + n
            ax.add_patch(
                Rectangle((j, -i), 1, -1, facecolor="white" if inside else "#d5d8dc", edgecolor="gray", linewidth=0.6)
            )
            if not inside:
                ax.text(j + 0.5, -i - 0.5, "0", ha="center", va="center", fontsize=7, color="#7f8c8d")
        windows = [((0, 0), "#e74c3c", "-")] + ([((0, s), "#2e86c1", "--")] if o > 1 else [])
        x_out = size + 1.2
        for (wi, wj), color, style in windows:
            ax.add_patch(
                Rectangle((wj, -wi), kernel, -kernel, fill=False, edgecolor=color, linewidth=2.2, linestyle=style)
            )
        for i, j in np.ndindex(o, o):
            fill = {(0, 0): "#f5b7b1", (0, 1): "#aed6f1"}.get((i, j), "#fdebd0")
            ax.add_patch(Rectangle((x_out + j, -i), 1, -1, facecolor=fill, edgecolor="#b9770e", linewidth=0.8))
        ax.text(size / 2, -size - 0.3, "输入" + ("（灰格为补的 0）" if p else ""), ha="center", va="top", fontsize=8)
        ax.text(x_out + o / 2, -o - 0.3, "输出", ha="center", va="top", fontsize=8)
        ax.set_xlim(-0.3, x_out + max(o, 2) + 0.3)
        ax.set_ylim(-max(size, o) - 1.3, 0.3)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"填充 p={p}，步长 s={s}\n输入 {n}×{n}，卷积核 {kernel}×{kernel} → 输出 {o}×{o}", fontsize=10)
    if image is not None:
        ax = axes[panels - 1]
        pad = 2
        padded = np.pad(np.asarray(image, float), pad)
        side = padded.shape[0]
        o = conv_output_size(side, 5)
        ax.imshow(padded, cmap="gray_r", vmin=0, vmax=255)
        ax.add_patch(Rectangle((pad - 0.5, pad - 0.5), 28, 28, fill=False, edgecolor="#f39c12", linestyle="--"))
        ax.add_patch(Rectangle((-0.5, -0.5), 5, 5, fill=False, edgecolor="#e74c3c", linewidth=2))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"1998 年原版：28×28 四周补 {pad} 圈 0\n→ {side}×{side}，5×5 卷积 → C1 输出 {o}×{o}", fontsize=10)
    fig.tight_layout()
    return fig


@with_cjk_font
def plot_activations(xmin: float = -6.0, xmax: float = 6.0):
    """Sigmoid 与 ReLU 的函数曲线（左）和导数曲线（右）。（第 2、6 章）"""
    z = np.linspace(xmin, xmax, 401)
    sig = 1 / (1 + np.exp(-z))
    relu = np.maximum(z, 0)
    fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=(10, 3.6))
    ax_f.plot(z, sig, label=r"Sigmoid $\sigma(x)=1/(1+e^{-x})$")
    ax_f.plot(z, relu, label=r"ReLU $\max(0, x)$")
    ax_f.set_ylim(-0.5, 3)
    ax_f.set_title("激活函数")
    ax_d.plot(z, sig * (1 - sig), label=r"Sigmoid 的导数 $\sigma(1-\sigma)$")
    ax_d.plot(z, (z > 0).astype(float), label="ReLU 的导数")
    ax_d.set_ylim(-0.1, 1.2)
    ax_d.set_title("导数（反向传播时乘上的因子）")
    for ax in (ax_f, ax_d):
        ax.axhline(0, color="gray", linewidth=0.6)
        ax.axvline(0, color="gray", linewidth=0.6)
        ax.set_xlabel("输入 $x$")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="upper left")
    fig.tight_layout()
    return fig


@with_cjk_font
def plot_lenet_1998(shapes_1998, shapes=None):
    """上：1998 年论文里的 LeNet-5（32×32 输入，C1、S2、C3、S4、C5、F6 和 RBF 输出）；下：本书的 28×28 版本（L1～L7）。

    两行按同一比例画；``shapes_1998`` 为 ``trace_shapes(model.padded_lenet(), (1, 1, 32, 32))``，
    ``shapes`` 为本书网络的 ``trace_shapes``（不给时现算）。返回 Figure。
    """
    if shapes is None:
        from .model import LeNet, trace_shapes

        shapes = trace_shapes(LeNet())
    rows = [
        (_STAGES_1998, {n: s[1:] for n, s in shapes_1998}, "1998 年原版 LeNet-5（32×32 输入）", "#e8daef"),
        (_STAGES, {n: s[1:] for n, s in shapes}, "本书的 LeNet-5（28×28 输入，原笔记本的版本）", "#dbe8f7"),
    ]
    longest = max(s[0] for _, shape, _, _ in rows for s in shape.values() if len(s) == 1)
    fig, ax = plt.subplots(figsize=(13, 5.9))
    ax.set_aspect("equal")
    ax.axis("off")
    right = 0.0
    for k, (stages, shape, title, color) in enumerate(rows):
        y = -k * 6.0
        right = max(right, _draw_stages(ax, stages, shape, y=y, vector_max=longest, feature_color=color))
        ax.text(-0.4, y + 2.3, title, ha="left", va="bottom", fontsize=13, weight="bold")
    ax.set_xlim(-0.5, right - 1.9)
    ax.set_ylim(-6.0 - 2.7, 2.9)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 第 3 章 MNIST 数据集


@with_cjk_font
def show_pixels(image, ax=None):
    """把一张图的每个像素值写在格子里（28×28 的数字矩阵）。"""
    ax, result = _axes(ax, (9, 9))
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
    for (r, c), v in np.ndenumerate(image):
        if v:
            ax.text(c, r, str(int(v)), ha="center", va="center", fontsize=5, color="white" if v > 128 else "black")
    ax.set_xticks(range(0, 28, 4))
    ax.set_yticks(range(0, 28, 4))
    ax.set_xlabel("列")
    ax.set_ylabel("行")
    return result


@with_cjk_font
def plot_label_counts(counts: dict, ax=None):
    """各数字的样本数柱状图；counts 形如 {"训练集": array(10), "测试集": array(10)}。"""
    ax, result = _axes(ax, (8, 3.5))
    width = 0.8 / len(counts)
    for i, (name, c) in enumerate(counts.items()):
        ax.bar(np.arange(10) + (i - (len(counts) - 1) / 2) * width, c, width, label=name)
    ax.set_xticks(range(10))
    ax.set_xlabel("数字")
    ax.set_ylabel("样本数")
    ax.legend()
    return result


@with_cjk_font
def plot_margins(min_margins, threshold: int | None = None, ax=None, title: str | None = None):
    """每张图四边的空白里最窄的一边有几个像素：柱状图，柱顶标出张数。

    ``min_margins`` 是每张图一个整数（像素数）；给了 ``threshold`` 时，小于它的柱子换一种颜色。
    """
    counts = np.bincount(np.asarray(min_margins, dtype=np.int64))
    ax, result = _axes(ax, (7, 3.4))
    colors = ["#e67e22" if threshold is not None and m < threshold else "#5b8bd0" for m in range(len(counts))]
    bars = ax.bar(range(len(counts)), counts, color=colors)
    ax.bar_label(bars, labels=[f"{c:,}" for c in counts], fontsize=9)
    if threshold is not None:
        ax.legend(
            handles=[
                Patch(color="#e67e22", label=f"少于 {threshold} 个像素"),
                Patch(color="#5b8bd0", label=f"{threshold} 个像素或更多"),
            ],
            fontsize=9,
        )
    ax.set_xticks(range(len(counts)))
    ax.set_xlabel("四边中最窄一边的空白（像素）")
    ax.set_ylabel("图像张数")
    ax.set_ylim(0, counts.max() * 1.15)
    if title:
        ax.set_title(title)
    ax.figure.tight_layout()
    return result


# ---------------------------------------------------------------- 第 4 章 LeNet 模型搭建


@with_cjk_font
def plot_probabilities(images, probs, labels=None, size: float = 1.5, title: str | None = None):
    """上排是图像，下排是网络给出的 10 个类别的概率（最大的一根标红）。"""
    probs = np.asarray(probs)
    n = len(images)
    fig, axes = plt.subplots(2, n, figsize=(n * size, 2.6 * size), squeeze=False, gridspec_kw={"height_ratios": [1, 1]})
    for i in range(n):
        axes[0, i].imshow(images[i], cmap="gray_r", vmin=0, vmax=255)
        axes[0, i].axis("off")
        if labels is not None:
            axes[0, i].set_title(f"标签 {labels[i]}", fontsize=9)
        colors = ["crimson" if k == probs[i].argmax() else "steelblue" for k in range(10)]
        axes[1, i].bar(range(10), probs[i], color=colors)
        axes[1, i].set_ylim(0, 1)
        axes[1, i].set_xticks(range(10))
        axes[1, i].tick_params(labelsize=6)
        if i:
            axes[1, i].set_yticklabels([])
    axes[1, 0].set_ylabel("概率")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 第 5 章 模型优化过程


@with_cjk_font
def plot_computational_graph(nodes: dict, edges, title: str | None = None, decimals: int = 4):
    """计算图：前向时每个节点算出一个值（蓝），反向时从损失出发按链式法则算出损失对它的梯度（红）。

    ``nodes`` 形如 {名字: {"pos": (列, 行), "label": "$z_1 = w_1 x + b_1$", "value": 数, "grad": 数}}；
    ``edges`` 形如 [(起点, 终点), ...]：灰色实线箭头是前向的数据流，红色虚线箭头是反向传梯度的方向。返回 Figure。
    """
    fmt = f"{{:.{decimals}f}}"
    cols = max(n["pos"][0] for n in nodes.values()) + 1
    rows = max(n["pos"][1] for n in nodes.values()) + 1
    fig, ax = plt.subplots(figsize=(2.15 * cols + 0.4, 1.75 * rows + 1.3))
    w, h = 1.55, 1.05  # 节点框的宽、高（列距 2、行距 1.6）

    def center(name):
        col, row = nodes[name]["pos"]
        return 2.0 * col, -1.6 * row

    def to_border(d):  # 从框中心沿方向 d 走到框边的距离（再留一点空）
        return 1.08 * min(w / 2 / max(abs(d[0]), 1e-9), h / 2 / max(abs(d[1]), 1e-9))

    for a, b in edges:
        pa, pb = np.array(center(a)), np.array(center(b))
        d = (pb - pa) / np.hypot(*(pb - pa))
        start, end = pa + d * to_border(d), pb - d * to_border(d)
        normal = np.array([-d[1], d[0]]) * 0.13
        ax.add_patch(FancyArrowPatch(start + normal, end + normal, arrowstyle="-|>", mutation_scale=11, color="gray"))
        ax.add_patch(
            FancyArrowPatch(
                end - normal, start - normal, arrowstyle="-|>", mutation_scale=9, color="#c0392b", linestyle="--"
            )
        )
    for name, node in nodes.items():
        x, y = center(name)
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2),
                w,
                h,
                boxstyle="round,pad=0.04",
                facecolor="#f4f6f7",
                edgecolor="#5d6d7e",
                linewidth=1,
            )
        )
        ax.text(x, y + 0.28, node["label"], ha="center", va="center", fontsize=10)
        ax.text(x, y - 0.05, "值 " + fmt.format(node["value"]), ha="center", va="center", fontsize=9, color="#1f618d")
        ax.text(x, y - 0.32, "梯度 " + fmt.format(node["grad"]), ha="center", va="center", fontsize=9, color="#c0392b")
    ax.set_xlim(-w, 2.0 * (cols - 1) + w)
    ax.set_ylim(-1.6 * (rows - 1) - h - 0.55, h)
    ax.text(
        -w * 0.6,
        -1.6 * (rows - 1) - h / 2 - 0.35,
        "灰色实线：前向，从左往右算出每个节点的值（蓝）；红色虚线：反向，从损失出发用链式法则算出损失对每个节点的梯度（红）",
        fontsize=9,
        va="center",
    )
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


@with_cjk_font
def plot_optimizer_paths(loss_fn, paths: dict, xlim=(-4.5, 4.5), ylim=(-2.0, 2.0), title: str | None = None):
    """二维玩具损失上各优化器的轨迹：左图等高线 + 轨迹，右图损失随步数的变化（对数坐标）。

    loss_fn(w1, w2) 接受 NumPy 数组（网格）并逐元素返回损失；
    paths 形如 {"SGD": 形状 (步数+1, 2) 的数组, ...}，每行是一步之后的参数 (w1, w2)。
    """
    fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    w1, w2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    ax_path.contour(w1, w2, loss_fn(w1, w2), levels=15, cmap="Greys", linewidths=0.8)
    for i, (name, path) in enumerate(paths.items()):
        path = np.asarray(path)
        color = f"C{i}"
        ax_path.plot(path[:, 0], path[:, 1], "-o", color=color, markersize=3, linewidth=1.2, label=name)
        ax_loss.semilogy(np.arange(len(path)), loss_fn(path[:, 0], path[:, 1]), color=color, label=name)
    start = np.asarray(next(iter(paths.values())))[0]
    ax_path.plot(*start, "k^", markersize=8, label="起点")
    ax_path.plot(0, 0, "k*", markersize=12, label="最小值")
    ax_path.set_xlim(*xlim)
    ax_path.set_ylim(*ylim)
    ax_path.set_xlabel("$w_1$")
    ax_path.set_ylabel("$w_2$")
    ax_path.set_title("参数的移动轨迹")
    ax_path.legend(fontsize=8, loc="lower right")
    ax_loss.set_xlabel("步数")
    ax_loss.set_ylabel("损失（对数坐标）")
    ax_loss.set_title("损失随步数的变化")
    ax_loss.grid(alpha=0.3)
    ax_loss.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 第 6 章 模型训练与评估


@with_cjk_font
def plot_history(histories: dict):
    """训练曲线：左图损失、右图准确率；每个配置画训练集（实线）和验证集或测试集（虚线）。

    histories 形如 {"sigmoid": [每轮一个 dict, 含 train_loss/train_acc，以及 val_loss/val_acc 或 test_loss/test_acc]}。
    """
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, (name, hist) in enumerate(histories.items()):
        color = f"C{i}"
        epochs = [h["epoch"] for h in hist]
        for ax, key in ((ax_loss, "loss"), (ax_acc, "acc")):
            ax.plot(epochs, [h["train_" + key] for h in hist], "-o", color=color, label=f"{name} 训练集")
            for prefix, split in (("val_", "验证集"), ("test_", "测试集")):
                if prefix + key in hist[0]:
                    ax.plot(epochs, [h[prefix + key] for h in hist], "--s", color=color, label=f"{name} {split}")
    ax_loss.set_ylabel("平均交叉熵损失")
    ax_acc.set_ylabel("准确率")
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_xlabel(EPOCH_LABEL)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 第 7 章 模型可视化


@with_cjk_font
def show_kernels(weights, ncols: int | None = None, size: float = 1.6, title: str | None = None):
    """把卷积核画成小图：weights 形如 (个数, k, k) 或 (个数, 1, k, k)（如 conv1 的 6×1×5×5）。

    所有核共用一个以 0 为中心的色标：红为正、蓝为负、白为 0，右侧色条给出数值。
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim == 4:
        if w.shape[1] != 1:
            raise ValueError(f"只能画单输入通道的卷积核，得到形状 {w.shape}；请先选一个输入通道")
        w = w[:, 0]
    n = len(w)
    ncols = ncols or n
    nrows = int(np.ceil(n / ncols))
    vmax = float(np.abs(w).max()) or 1.0
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size + 0.8, nrows * size * 1.15), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            im = ax.imshow(w[i], cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_title(f"卷积核 {i}", fontsize=9)
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label="权重")
    if title:
        fig.suptitle(title)
    return fig


@with_cjk_font
def show_feature_maps(
    maps,
    ncols: int = 8,
    size: float = 1.3,
    title: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
):
    """把一张图在某层的输出（特征图）排成网格：maps 形如 (通道, 高, 宽)。

    默认所有通道共用一个色标（取全部值的最小、最大），通道之间的强弱可以直接比较；
    标题写通道号和尺寸。
    """
    m = np.asarray(maps, dtype=float)
    n = len(m)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    vmin = float(m.min()) if vmin is None else vmin
    vmax = float(m.max()) if vmax is None else vmax
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size + 0.8, nrows * size * 1.2), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            im = ax.imshow(m[i], cmap="viridis", vmin=vmin, vmax=vmax)
            ax.set_title(f"通道 {i}", fontsize=8)
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label="输出值")
    fig.suptitle(title or f"{n} 个特征图，每个 {m.shape[1]}×{m.shape[2]}")
    return fig


@with_cjk_font
def plot_confusion_matrix(cm, ax=None, title: str | None = "混淆矩阵"):
    """混淆矩阵：第 i 行第 j 列是“真实为 i、被预测为 j”的样本数，格中写出数目。

    颜色用对数刻度（0 留白），对角线上的几千和对角线外的个位数都看得清。
    """
    cm = np.asarray(cm)
    k = len(cm)
    ax, result = _axes(ax, (7.5, 6.5))
    im = ax.imshow(np.ma.masked_equal(cm, 0), cmap="Blues", norm=LogNorm(vmin=1, vmax=max(int(cm.max()), 2)))
    for (i, j), v in np.ndenumerate(cm):
        if v:
            ax.text(
                j,
                i,
                str(int(v)),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if v > np.sqrt(cm.max()) * 3 else "black",
            )
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("预测的数字")
    ax.set_ylabel("真实的数字")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, label="样本数（对数刻度）")
    return result


@with_cjk_font
def show_mistakes(
    images, labels, predictions, confidences, ncols: int = 6, size: float = 1.5, title: str | None = None
):
    """误判的图：每张的标题写“真 a → 判 b”和模型给预测类别的概率（置信度）。"""
    titles = [f"真 {t} → 判 {p}\n置信度 {c:.3f}" for t, p, c in zip(labels, predictions, confidences)]
    return _digit_grid(images, titles, ["crimson"] * len(images), min(ncols, len(images)), size, 1.3, title)


@with_cjk_font
def plot_shift_accuracy(shifts, accuracies: dict, ax=None, title: str | None = None):
    """测试图平移后的准确率：横轴是平移的像素数，每个模型一条折线。

    accuracies 形如 {"LeNet-5": [...], "MLP": [...]}，与 shifts 一一对应。
    """
    ax, out = _axes(ax, (6, 3.6))
    for i, (name, accs) in enumerate(accuracies.items()):
        ax.plot(shifts, accs, "-o", color=f"C{i}", label=name)
        for s, a in zip(shifts, accs):
            ax.annotate(f"{a:.1%}", (s, a), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8)
    ax.set_xlabel("平移的像素数（上、下、左、右四个方向的平均）")
    ax.set_ylabel("测试集准确率")
    ax.set_ylim(0, 1.05)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return out


# ---------------------------------------------------------------- 附录（第 8 章）：训练配方


@with_cjk_font
def show_augmented(original, augmented, labels=None, size: float = 1.0, title: str | None = None):
    """数据增强前后对比：第一行是原图，下面每一行是同一批图各做一次随机变换的结果。

    original 形如 (n, 28, 28) 或 (n, 1, 28, 28)，augmented 形如 (k, n, 28, 28) 或 (k, n, 1, 28, 28)；
    取值是归一化后的 [-1, 1]（-1 为背景，用 gray_r 画成白色），与 ``lenet.recipe.augment`` 的输入输出一致。
    """
    rows = [np.asarray(original, dtype=float).reshape(-1, 28, 28)]
    rows += [np.asarray(a, dtype=float).reshape(-1, 28, 28) for a in augmented]
    n = len(rows[0])
    fig, axes = plt.subplots(len(rows), n, figsize=(n * size + 0.6, len(rows) * size * 1.05), squeeze=False)
    for r, images in enumerate(rows):
        for c in range(n):
            ax = axes[r, c]
            ax.imshow(images[c], cmap="gray_r", vmin=-1, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color("#c0392b" if r == 0 else "lightgray")
            if r == 0 and labels is not None:
                ax.set_title(f"标签 {labels[c]}", fontsize=9)
        axes[r, 0].set_ylabel("原图" if r == 0 else f"增强 {r}", fontsize=10)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


@with_cjk_font
def plot_lr_schedule(rates, steps_per_epoch: int | None = None, ax=None, title: str | None = None):
    """学习率随训练步数的变化；标出起点、峰值和终点。给了 steps_per_epoch 时顶部再加一条“轮次”坐标。"""
    rates = np.asarray(rates, dtype=float)
    ax, result = _axes(ax, (8, 3.6))
    steps = np.arange(len(rates))
    ax.plot(steps, rates, color="C0")
    peak = int(rates.argmax())
    for i, name, offset in ((0, "起点", (10, 18)), (peak, "峰值", (12, -4)), (len(rates) - 1, "终点", (-70, 22))):
        ax.plot(i, rates[i], "o", color="C3", markersize=5)
        ax.annotate(
            f"{name}：第 {i} 步，{rates[i]:.2g}",
            (i, rates[i]),
            textcoords="offset points",
            xytext=offset,
            fontsize=9,
            arrowprops={"arrowstyle": "-", "color": "gray"},
        )
    ax.set_xlabel("训练步数（参数更新次数）")
    ax.set_ylabel("学习率")
    ax.set_xlim(-len(rates) * 0.02, len(rates) * 1.02)
    ax.set_ylim(0, rates.max() * 1.15)
    ax.grid(alpha=0.3)
    if steps_per_epoch:
        top = ax.secondary_xaxis("top", functions=(lambda s: s / steps_per_epoch, lambda e: e * steps_per_epoch))
        top.set_xlabel(EPOCH_LABEL)
    if title:
        ax.set_title(title, pad=10)
    ax.figure.tight_layout()
    return result


@with_cjk_font
def plot_test_accuracy(
    curves: dict,
    references: dict | None = None,
    xlabel: str = EPOCH_LABEL,
    ylim=None,
    ax=None,
    title: str | None = None,
    integer_x: bool = True,
):
    """测试准确率曲线：curves 形如 {配置名: [(横坐标序列, 准确率序列), ...]}，一个配置的多次训练同色。

    横坐标可以是轮次，也可以是累计训练秒数（xlabel 说明；``integer_x=False`` 时刻度不限于整数）；
    references 形如 {"LeCun 1998": 0.9905}，画成水平虚线。纵轴用百分数。
    """
    ax, result = _axes(ax, (8, 4))
    for i, (name, runs) in enumerate(curves.items()):
        for j, (xs, accs) in enumerate(runs):
            ax.plot(
                xs,
                accs,
                "-o",
                color=f"C{i}",
                markersize=3,
                linewidth=1.4,
                alpha=1 if j == 0 else 0.55,
                label=name if j == 0 else None,
            )
    for k, (name, value) in enumerate((references or {}).items()):
        ax.axhline(
            value,
            color=["gray", "#c0392b", "black"][k % 3],
            linestyle="--",
            linewidth=1,
            label=f"{name}（{value * 100:.2f}%）",
        )
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
    if ylim is not None:
        ax.set_ylim(*ylim)
    if integer_x:
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("测试准确率")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    if title:
        ax.set_title(title)
    ax.figure.tight_layout()
    return result


# ---------------------------------------------------------------- 附录（第 9 章）：部署（你自己的手写数字）


@with_cjk_font
def show_photos(photos, titles=None, size: float = 2.2, title: str | None = None):
    """一排照片（H×W×3 或 H×W 的数组，或读进来的图片），保持各自的宽高比。"""
    n = len(photos)
    fig, axes = plt.subplots(1, n, figsize=(n * size, size * 1.35), squeeze=False)
    for i, ax in enumerate(axes[0]):
        img = np.asarray(photos[i])
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=255 if img.dtype == np.uint8 else 1)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


@with_cjk_font
def show_preprocess_steps(steps: dict, size: float = 2.4, title: str | None = None):
    """``lenet.preprocess.preprocess_steps`` 的六步，两行三列：灰度 → 反相并拉平光照 → 阈值、去噪点 →
    笔迹与外接框 → 长边缩放到 20 像素 → 按质心贴进 28×28（红十字为质心，灰线交点为画布中央）。

    墨水图都用“白 = 墨水、黑 = 背景”显示，与 MNIST 文件里的数值一致（0 为背景）。
    """
    fig, axes = plt.subplots(2, 3, figsize=(3 * size, 2 * size * 1.1))
    axes = axes.ravel()
    info = steps["info"]
    r0, r1, c0, c1 = steps["bbox"]
    panels = [
        (steps["gray"], "① 灰度图", 1.0),
        (steps["signal"], "② 反相、拉平光照" if info["inverted"] else "② 浅色字深色底：不反相", 1.0),
        (steps["mask"], f"③ 阈值 {info['threshold']:.2f}，保留 {info['blobs_kept']}/{info['blobs']} 块", 1.0),
        (steps["ink"], f"④ 笔迹与外接框 {r1 - r0 + 1}×{c1 - c0 + 1}", 1.0),
        (steps["small"], f"⑤ 长边缩到 20：{steps['small'].shape[0]}×{steps['small'].shape[1]}", 1.0),
        (steps["result"], "⑥ 按质心贴进 28×28", 255),
    ]
    for ax, (img, label, vmax) in zip(axes, panels):
        ax.imshow(
            np.asarray(img, dtype=float),
            cmap="gray",
            vmin=0,
            vmax=vmax,
            interpolation="nearest" if img.shape[0] <= 28 else "antialiased",
        )
        ax.set_title(label, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[3].add_patch(
        Rectangle((c0 - 0.5, r0 - 0.5), c1 - c0 + 1, r1 - r0 + 1, fill=False, edgecolor="#f5b041", linewidth=1.5)
    )
    result = np.asarray(steps["result"], dtype=float)
    total = result.sum()
    cy = (result.sum(axis=1) * np.arange(28)).sum() / total
    cx = (result.sum(axis=0) * np.arange(28)).sum() / total
    axes[5].axhline(14, color="gray", linewidth=0.8)
    axes[5].axvline(14, color="gray", linewidth=0.8)
    axes[5].plot([cx], [cy], "+", color="crimson", markersize=12, markeredgewidth=2)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


@with_cjk_font
def plot_prediction(photo, image, probs, title: str | None = None, size: float = 2.6):
    """一张照片的识别结果：照片、送进网络的 28×28 输入、10 个类别的概率（最大的一根标红并标出数值）。"""
    probs = np.asarray(probs, dtype=float)
    fig, axes = plt.subplots(1, 3, figsize=(3.4 * size, size), gridspec_kw={"width_ratios": [1, 1, 1.8]})
    photo = np.asarray(photo)
    axes[0].imshow(photo, cmap="gray" if photo.ndim == 2 else None)
    axes[0].set_title("照片", fontsize=10)
    axes[1].imshow(image, cmap="gray_r", vmin=0, vmax=255)
    axes[1].set_title("网络的输入（28×28）", fontsize=10)
    for ax in axes[:2]:
        ax.set_xticks([])
        ax.set_yticks([])
    best = int(probs.argmax())
    axes[2].bar(range(10), probs, color=["crimson" if k == best else "steelblue" for k in range(10)])
    axes[2].text(best, probs[best], f"{probs[best]:.1%}", ha="center", va="bottom", fontsize=9)
    axes[2].set_xticks(range(10))
    axes[2].set_ylim(0, 1.12)
    axes[2].set_xlabel("数字")
    axes[2].set_ylabel("概率")
    axes[2].set_title(f"预测：{best}", fontsize=10)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 附录（第 10 章）：多进程训练


@with_cjk_font
def plot_step_times(bars: dict, ax=None, title: str | None = None):
    """每步耗时的分解：每个条是 {段名: 秒}（如“计算”“通信与等待”），横向堆叠，单位毫秒，右端标出总和。"""
    ax, result = _axes(ax, (8, 0.8 + 0.7 * len(bars)))
    names = list(bars)
    segments = list(dict.fromkeys(k for parts in bars.values() for k in parts))
    left = np.zeros(len(names))
    for j, segment in enumerate(segments):
        widths = np.array([bars[n].get(segment, 0) * 1e3 for n in names])
        ax.barh(names, widths, left=left, color=f"C{j}", label=segment, height=0.55)
        left += widths
    for i, n in enumerate(names):
        total = sum(bars[n].values()) * 1e3
        ax.text(total, i, f" {total:.1f} ms", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("每步耗时（毫秒）")
    ax.set_xlim(0, max(sum(p.values()) for p in bars.values()) * 1e3 * 1.2)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")
    if title:
        ax.set_title(title)
    ax.figure.tight_layout()
    return result


# ---------------------------------------------------------------- 附录：部署（你自己的手写数字）
