"""lenet.viz 的每个画图函数、返回值约定，以及 lenet.fonts 的中文字体。"""

import inspect
import logging
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from lenet import fonts, viz


@pytest.fixture
def no_missing_glyphs(caplog):
    """画图期间出现 “Glyph … missing” 警告（warnings 或 logging）即失败。"""
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        yield
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "missing from" in m or "Glyph" in m], messages


def _render(fig, tmp_path):
    path = tmp_path / "fig.png"
    fig.savefig(path)
    plt.close(fig)
    assert path.stat().st_size > 1000
    return path


def test_chinese_font_is_found_and_used(tmp_path, no_missing_glyphs):
    name = fonts.setup_fonts()
    assert viz.setup_fonts is fonts.setup_fonts  # 章节里调用 viz.setup_fonts()
    assert name, "no CJK font found"
    assert matplotlib.rcParams["font.sans-serif"][0] == name
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    fig, ax = plt.subplots()
    ax.set_title("卷积神经网络：手写数字识别 −0.5")
    ax.plot([-1, 0, 1], [0, -1, 0])
    _render(fig, tmp_path)


def test_show_digits(tmp_path, no_missing_glyphs):
    images = np.random.default_rng(0).integers(0, 256, (12, 28, 28), dtype=np.uint8)
    labels = np.arange(12) % 10
    fig = viz.show_digits(images, labels, predictions=(labels + 1) % 10, ncols=6, title="预测")
    assert len(fig.axes) == 12
    _render(fig, tmp_path)


def test_show_pixels_and_label_counts(tmp_path, no_missing_glyphs):
    image = np.zeros((28, 28), dtype=np.uint8)
    image[10:14, 10:14] = 200
    fig = viz.show_pixels(image)
    assert len(fig.axes[0].texts) == 16
    _render(fig, tmp_path)
    fig = viz.plot_label_counts({"训练集": np.arange(10), "测试集": np.arange(10)[::-1]})
    assert len(fig.axes[0].patches) == 20
    _render(fig, tmp_path)


def test_plot_history(tmp_path, no_missing_glyphs):
    hist = [
        {"epoch": e, "train_loss": 1 / e, "train_acc": 1 - 0.1 / e, "test_loss": 1.1 / e, "test_acc": 1 - 0.12 / e}
        for e in (1, 2, 3)
    ]
    fig = viz.plot_history({"sigmoid": hist, "relu": hist})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 4
    _render(fig, tmp_path)
    # 留出验证集训练时记录的是 val_*：虚线标“验证集”
    val = [
        {
            "epoch": h["epoch"],
            "train_loss": h["train_loss"],
            "train_acc": h["train_acc"],
            "val_loss": h["test_loss"],
            "val_acc": h["test_acc"],
        }
        for h in hist
    ]
    fig = viz.plot_history({"sigmoid": val})
    assert [line.get_label() for line in fig.axes[1].lines] == ["sigmoid 训练集", "sigmoid 验证集"]


def test_plot_task(tmp_path, no_missing_glyphs):
    images = np.random.default_rng(1).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    fig = viz.plot_task(images, [7, 2, 1, 0])
    ax = fig.axes[0]
    assert len(ax.images) == 4
    assert [t.get_text() for t in ax.texts if t.get_text() in "7210"] == ["7", "2", "1", "0"]
    _render(fig, tmp_path)


def test_plot_architecture(tmp_path, no_missing_glyphs):
    fig = viz.plot_architecture()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for shape in ("1×28×28", "6×24×24", "6×12×12", "16×8×8", "16×4×4", "256", "120", "84", "10"):
        assert shape in texts
    # 输入 1 块 + 6 + 6 + 8 + 8 个特征图方块 + 4 个全连接竖条（外加箭头）
    rects = [p for p in fig.axes[0].patches if type(p).__name__ == "Rectangle"]
    assert len(rects) == 1 + 6 + 6 + 8 + 8 + 4
    _render(fig, tmp_path)


def test_plot_conv_and_pool_examples(tmp_path, no_missing_glyphs):
    x = np.arange(25).reshape(5, 5)
    k = np.ones((3, 3), dtype=int)
    out = np.array([[x[i : i + 3, j : j + 3].sum() for j in range(3)] for i in range(3)])
    fig = viz.plot_conv_example(x, k, out, pos=(1, 2))
    assert len(fig.axes) == 3 and len(fig.axes[2].texts) == 9
    _render(fig, tmp_path)
    x = np.arange(16).reshape(4, 4)
    fig = viz.plot_pool_example(x, x.reshape(2, 2, 2, 2).max(axis=(1, 3)))
    assert len(fig.axes) == 2 and [t.get_text() for t in fig.axes[1].texts] == ["5", "7", "13", "15"]
    _render(fig, tmp_path)


def test_plot_multichannel_conv(tmp_path, no_missing_glyphs):
    rng = np.random.default_rng(5)
    maps, kernel, bias = rng.random((6, 12, 12)), rng.normal(size=(6, 5, 5)), 0.25
    out = np.array([[(maps[:, r : r + 5, c : c + 5] * kernel).sum() + bias for c in range(8)] for r in range(8)])
    fig = viz.plot_multichannel_conv(maps, kernel, bias, out, pos=(2, 3))
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    partial = (maps[:, 2:7, 3:8] * kernel).sum(axis=(1, 2))
    for v in partial:  # 六个部分和都写在图上
        assert f"{v:.3f}" in texts
    assert texts.count("+") == 5
    total = next(t for t in texts if "偏置" in t)
    assert total.endswith(f"= {out[2, 3]:.3f}") and f"{bias:.3f}" in total
    assert len([ax for ax in fig.axes if ax.images]) == 6 + 6 + 1  # 6 个输入通道 + 核的 6 片 + 输出
    _render(fig, tmp_path)


def test_plot_padding_stride(tmp_path, no_missing_glyphs):
    image = np.zeros((28, 28), np.uint8)
    fig = viz.plot_padding_stride([(0, 1), (1, 1), (0, 2), (1, 2)], image=image)
    titles = [ax.get_title() for ax in fig.axes]
    for p, s, o in ((0, 1, 3), (1, 1, 5), (0, 2, 2), (1, 2, 3)):  # ⌊(5 + 2p − 3)/s⌋ + 1
        assert any(f"p={p}，步长 s={s}" in t and t.endswith(f"输出 {o}×{o}") for t in titles), (p, s, titles)
    assert "32×32" in titles[4] and "28×28" in titles[4]
    assert fig.axes[4].images[0].get_array().shape == (32, 32)  # 补了 2 圈
    assert not fig.axes[5].axison  # 第 6 格空着
    # 填充 1 圈的 5×5 输入：7×7 = 49 格，其中 24 格是填充的 0
    assert sum(t.get_text() == "0" for t in fig.axes[1].texts) == 24
    _render(fig, tmp_path)


def test_plot_activations(tmp_path, no_missing_glyphs):
    fig = viz.plot_activations()
    assert len(fig.axes) == 2 and all(len(ax.lines) >= 2 for ax in fig.axes)
    _render(fig, tmp_path)


def test_plot_lenet_1998(tmp_path, no_missing_glyphs):
    from lenet import model

    fig = viz.plot_lenet_1998(model.trace_shapes(model.padded_lenet(), (1, 1, 32, 32)))
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    for label in ("1×32×32", "C1\n6×28×28", "S2\n6×14×14", "C3\n16×10×10", "S4\n16×5×5", "400", "F6\n84"):
        assert label in texts, label
    for label in ("1×28×28", "6×24×24", "16×4×4", "256", "L7 输出\n10"):  # 下面一行：本书的版本
        assert label in texts, label
    rects = [p for p in fig.axes[0].patches if type(p).__name__ == "Rectangle"]
    assert len(rects) == 2 * (1 + 6 + 6 + 8 + 8 + 4)
    _render(fig, tmp_path)


def test_show_kernels(tmp_path, no_missing_glyphs):
    w = np.random.default_rng(2).normal(size=(6, 1, 5, 5))
    fig = viz.show_kernels(w, title="卷积核")
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 6 and images[0].images[0].get_array().shape == (5, 5)
    assert len(fig.axes) == 6 + 1  # 6 个核 + 色条
    _render(fig, tmp_path)
    with pytest.raises(ValueError):
        viz.show_kernels(np.zeros((16, 6, 5, 5)))


def test_show_feature_maps(tmp_path, no_missing_glyphs):
    maps = np.random.default_rng(3).random((16, 8, 8))
    fig = viz.show_feature_maps(maps, ncols=8)
    assert len([ax for ax in fig.axes if ax.images]) == 16
    assert "16 个特征图" in fig._suptitle.get_text() and "8×8" in fig._suptitle.get_text()
    _render(fig, tmp_path)


def test_plot_confusion_matrix(tmp_path, no_missing_glyphs):
    cm = np.diag(np.full(10, 900))
    cm[3, 5] = 7
    fig = viz.plot_confusion_matrix(cm)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 11 and "7" in texts  # 10 个对角元 + 1 个非零的错误格
    _render(fig, tmp_path)


def test_show_mistakes(tmp_path, no_missing_glyphs):
    images = np.random.default_rng(4).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    fig = viz.show_mistakes(images, [1, 2, 3, 4], [7, 7, 5, 9], [0.99, 0.9, 0.8, 0.7], ncols=4)
    assert len(fig.axes) == 4
    assert fig.axes[0].get_title().startswith("真 1 → 判 7")
    _render(fig, tmp_path)


def test_plot_computational_graph(tmp_path, no_missing_glyphs):
    nodes = {
        "x": {"pos": (0, 1), "label": "$x$", "value": 2.0, "grad": -0.5},
        "w": {"pos": (0, 0), "label": "$w$", "value": 0.5, "grad": -1.0},
        "z": {"pos": (1, 1), "label": "$z = w x$", "value": 1.0, "grad": -0.5},
        "E": {"pos": (2, 1), "label": "$E = -z$", "value": -1.0, "grad": 1.0},
    }
    fig = viz.plot_computational_graph(nodes, [("x", "z"), ("w", "z"), ("z", "E")], title="计算图")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "值 2.0000" in texts and "梯度 -1.0000" in texts and "$z = w x$" in texts
    arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == 2 * 3  # 每条边一个前向箭头、一个反向箭头
    _render(fig, tmp_path)


def test_plot_optimizer_paths(tmp_path, no_missing_glyphs):
    def loss(w1, w2):
        return 0.05 * w1**2 + w2**2

    t = np.linspace(0, 1, 11)[:, None]
    paths = {"SGD": np.array([-4.0, 1.5]) * (1 - t), "Adam": np.array([-4.0, 1.5]) * (1 - t) ** 2}
    fig = viz.plot_optimizer_paths(loss, paths, title="优化器")
    ax_path, ax_loss = fig.axes
    assert len(ax_path.lines) == 2 + 2  # 两条轨迹 + 起点 + 最小值
    assert len(ax_loss.lines) == 2 and ax_loss.get_yscale() == "log"
    _render(fig, tmp_path)


def test_plot_probabilities(tmp_path, no_missing_glyphs):
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    probs = np.full((3, 10), 0.1)
    probs[1] = np.eye(10)[4]
    fig = viz.plot_probabilities(images, probs, labels=[0, 4, 7], title="概率")
    assert len(fig.axes) == 6
    bars = fig.axes[4].patches  # 第二张图的柱状图（上排 3 个轴之后）
    assert len(bars) == 10 and bars[4].get_height() == 1.0
    _render(fig, tmp_path)


def test_font_shipped_by_mplfonts_has_the_glyphs(tmp_path, no_missing_glyphs):
    """没有系统中文字体的全新机器（pip install -r requirements.txt）用 mplfonts 自带的字体。"""
    name = fonts._mplfonts_font()
    if name is None:
        pytest.skip("mplfonts 未安装（AI Studio 等环境用系统字体）")
    fig, ax = plt.subplots()
    ax.set_title("卷积、池化、交叉熵、混淆矩阵：预测 7 / 真实 1", fontfamily=name)
    _render(fig, tmp_path)


def test_missing_glyph_detection_works(tmp_path, caplog):
    """反证：用没有汉字的字体画中文，确实会收到 “missing” 警告——上面的检查不是摆设。"""
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("卷积", fontfamily="DejaVu Sans")
        _render(fig, tmp_path)
    messages = [str(w.message) for w in caught] + [r.getMessage() for r in caplog.records]
    assert any("missing from" in m for m in messages), messages


def test_show_augmented(tmp_path, no_missing_glyphs):
    original = np.full((5, 1, 28, 28), -1.0)
    original[:, :, 8:20, 12:16] = 1.0
    augmented = np.stack([np.roll(original, k, axis=-1) for k in (1, 2)])
    fig = viz.show_augmented(original, augmented, labels=[1] * 5, title="增强")
    assert len(fig.axes) == 15
    assert fig.axes[0].get_ylabel() == "原图" and fig.axes[10].get_ylabel() == "增强 2"
    _render(fig, tmp_path)


def test_plot_lr_schedule(tmp_path, no_missing_glyphs):
    rates = np.concatenate([np.linspace(0.1, 1, 20), np.linspace(1, 0.001, 80)])
    fig = viz.plot_lr_schedule(rates, steps_per_epoch=10, title="学习率")
    ax = fig.axes[0]
    assert len(ax.lines) == 4  # 曲线 + 起点、峰值、终点
    assert any("峰值：第 19 步" in t.get_text() for t in ax.texts)
    _render(fig, tmp_path)


def test_plot_step_times(tmp_path, no_missing_glyphs):
    fig = viz.plot_step_times(
        {"1 个进程": {"计算": 0.008}, "2 个进程": {"计算": 0.005, "通信与等待": 0.002}}, title="每步耗时"
    )
    ax = fig.axes[0]
    assert len(ax.patches) == 4  # 2 段 × 2 个条（没有的段宽度为 0）
    widths = sorted(round(p.get_width(), 6) for p in ax.patches)
    assert widths == [0.0, 2.0, 5.0, 8.0]
    assert any("7.0 ms" in t.get_text() for t in ax.texts) and any("8.0 ms" in t.get_text() for t in ax.texts)
    _render(ax.figure, tmp_path)


def test_plot_test_accuracy(tmp_path, no_missing_glyphs):
    runs = [([1, 2, 3], [0.9, 0.95, 0.97]), ([1, 2, 3], [0.91, 0.94, 0.98])]
    fig = viz.plot_test_accuracy(
        {"原笔记本配置": runs, "完整配方": runs[:1]}, references={"LeCun 1998": 0.9905}, title="测试准确率"
    )
    ax = fig.axes[0]
    assert len(ax.lines) == 4
    assert len(ax.get_legend().get_texts()) == 3
    assert ax.xaxis.get_major_locator()._integer  # 默认横轴是轮次：只有整数刻度
    _render(fig, tmp_path)
    fig = viz.plot_test_accuracy({"秒": [([0.5, 1.0, 1.5], [0.9, 0.95, 0.97])]}, xlabel="秒", integer_x=False)
    assert not getattr(fig.axes[0].xaxis.get_major_locator(), "_integer", False)
    plt.close(fig)


def test_plot_margins(tmp_path, no_missing_glyphs):
    margins = np.array([0, 1, 1, 3, 3, 3, 4, 4])
    fig = viz.plot_margins(margins, threshold=4, title="最窄一边的空白")
    ax = fig.axes[0]
    heights = [int(p.get_height()) for p in ax.patches]
    assert heights == [1, 2, 0, 3, 2]  # 每个空白宽度一根柱子，高度是张数
    assert [p.get_facecolor() == ax.patches[0].get_facecolor() for p in ax.patches] == [True] * 4 + [False]
    _render(fig, tmp_path)


# ---------------------------------------------------------------- 附录：部署


def test_show_preprocess_steps(tmp_path, no_missing_glyphs):
    from lenet import preprocess

    ink = np.full((90, 70), 235, np.uint8)
    ink[20:70, 30:38] = 30  # 浅色纸上的一竖
    steps = preprocess.preprocess_steps(ink)
    fig = viz.show_preprocess_steps(steps, title="六步")
    assert len(fig.axes) == 6
    assert fig.axes[1].get_title().startswith("② 反相")
    assert len(fig.axes[3].patches) == 1  # 外接框
    cross = fig.axes[5].lines[-1]  # 质心的红十字
    assert abs(cross.get_xdata()[0] - 14) <= 0.5 and abs(cross.get_ydata()[0] - 14) <= 0.5
    _render(fig, tmp_path)


def test_plot_prediction_and_show_photos(tmp_path, no_missing_glyphs):
    probs = np.full(10, 0.02)
    probs[3] = 0.82
    photo = np.full((60, 40, 3), 220, np.uint8)
    fig = viz.plot_prediction(photo, np.zeros((28, 28), np.uint8), probs)
    assert fig.axes[2].get_title() == "预测：3" and len(fig.axes[2].patches) == 10
    assert fig.axes[2].patches[3].get_facecolor()[0] > 0.8  # 最大的一根标红
    _render(fig, tmp_path)
    fig = viz.show_photos([photo, photo[..., 0]], titles=["彩色", "灰度"])
    assert [ax.get_title() for ax in fig.axes] == ["彩色", "灰度"]
    _render(fig, tmp_path)


def test_plot_shift_accuracy(tmp_path, no_missing_glyphs):
    fig = viz.plot_shift_accuracy([0, 1, 2, 3], {"LeNet-5": [0.98, 0.96, 0.9, 0.75], "MLP": [0.95, 0.9, 0.7, 0.5]})
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and list(ax.lines[1].get_ydata()) == [0.95, 0.9, 0.7, 0.5]
    assert len(ax.texts) == 8 and ax.texts[0].get_text() == "98.0%"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["LeNet-5", "MLP"]
    _render(fig, tmp_path)


# ------------------------------------------------------------ 模块的约定


def _public_functions():
    return {
        name: f
        for name, f in inspect.getmembers(viz, inspect.isfunction)
        if not name.startswith("_") and f.__module__ == viz.__name__
    }


def test_every_figure_function_sets_up_fonts(monkeypatch):
    """每个公开画图函数都带 with_cjk_font（新加的函数忘了加，这里失败）。"""
    functions = _public_functions()
    assert len(functions) >= 26
    missing = [name for name, f in functions.items() if getattr(f, "__wrapped__", None) is None]
    assert not missing, f"这些函数缺少 @with_cjk_font：{missing}"
    # 装饰器确实设置字体：先把 rcParams 恢复成 matplotlib 默认，再画一张图
    monkeypatch.setitem(matplotlib.rcParams, "font.sans-serif", ["DejaVu Sans"])
    plt.close(viz.plot_activations())
    assert matplotlib.rcParams["font.sans-serif"][0] == fonts.setup_fonts()


RULE_CALLS = {  # 每个有 ax 参数的函数一组示例参数
    "show_pixels": lambda ax: viz.show_pixels(np.eye(28, dtype=np.uint8) * 200, ax=ax),
    "plot_label_counts": lambda ax: viz.plot_label_counts({"训练集": np.arange(10)}, ax=ax),
    "plot_margins": lambda ax: viz.plot_margins([0, 2, 2, 5], threshold=3, ax=ax),
    "plot_confusion_matrix": lambda ax: viz.plot_confusion_matrix(np.diag(np.arange(1, 11)), ax=ax),
    "plot_shift_accuracy": lambda ax: viz.plot_shift_accuracy([0, 1, 2], {"LeNet-5": [0.98, 0.97, 0.9]}, ax=ax),
    "plot_lr_schedule": lambda ax: viz.plot_lr_schedule(np.linspace(1, 0, 50), ax=ax),
    "plot_test_accuracy": lambda ax: viz.plot_test_accuracy({"a": [([1, 2], [0.9, 0.95])]}, ax=ax),
    "plot_step_times": lambda ax: viz.plot_step_times({"1 个进程": {"计算": 0.008}}, ax=ax),
}


def test_every_ax_function_is_covered_by_the_return_rule_test():
    with_ax = {name for name, f in _public_functions().items() if "ax" in inspect.signature(f).parameters}
    assert with_ax == set(RULE_CALLS)


@pytest.mark.parametrize("name", sorted(RULE_CALLS))
def test_return_rule(name, no_missing_glyphs):
    """传入 ax → 画在它上面并返回它；不传 → 返回新建的 Figure。"""
    fig, ax = plt.subplots()
    assert RULE_CALLS[name](ax) is ax
    assert ax.has_data() or ax.texts
    plt.close(fig)
    result = RULE_CALLS[name](None)
    assert isinstance(result, matplotlib.figure.Figure) and result.axes[0].has_data()
    plt.close(result)
