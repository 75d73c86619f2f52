"""书里的“在浏览器里手写数字”演示：把训练好的网络交给页面里的 JavaScript，离线运行。

:func:`demo` 在构建书（执行章节）时从模型缓存取出两个训练好的网络——原笔记本的 Sigmoid 模型
（:data:`lenet.train.ORIGINAL_CONFIG`）和 :data:`lenet.recipe.FAST`——把权重导出成 base64 的 float32
（每个参数 4 字节，两个模型约 470 KB），连同 ``web/`` 下的三段 JavaScript 和样式写进单元格的 HTML 输出。
页面不请求任何文件（没有服务器也能用，``file://``、U 盘、离线幻灯片都行），仓库里也不存权重文件：
演示用的永远是书里刚执行的那个模型。

JavaScript（``web/``，无第三方库）：
- ``forward.js``：LeNet-5 的前向计算（卷积、最大池化、全连接、Sigmoid/ReLU、softmax），附录里列出全文；
- ``preprocess.js``：:mod:`lenet.preprocess` 的逐步移植（极性、Otsu 阈值、外接框、20 像素、质心居中）；
- ``demo.js``、``demo.css``：画布、28×28 输入、概率条形图、特征图和模型切换。
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

WEB_DIR = Path(__file__).resolve().parent / "web"
SCRIPTS = ("forward.js", "preprocess.js", "demo.js")
STYLE = "demo.css"
# 浏览器测试（tests/test_webdemo.py）的标准：这么多张测试图上，JavaScript 与 Paddle 的 logits 之差不超过 PARITY_ATOL
PARITY_IMAGES = 1000
PARITY_ATOL = 1e-4
PARITY_PIXELS = 1  # 同一张位图经 JavaScript 与 Python 预处理，28×28 的灰度（0..255）之差不超过它
# 导出的顺序与形状（Paddle 的 Linear 权重是 [输入, 输出]）
TENSORS = (
    ("conv1.weight", (6, 1, 5, 5)),
    ("conv1.bias", (6,)),
    ("conv2.weight", (16, 6, 5, 5)),
    ("conv2.bias", (16,)),
    ("fc1.weight", (256, 120)),
    ("fc1.bias", (120,)),
    ("fc2.weight", (120, 84)),
    ("fc2.bias", (84,)),
    ("fc3.weight", (84, 10)),
    ("fc3.bias", (10,)),
)


def source(name: str = "forward.js") -> str:
    """``web/`` 下一个文件的全文（附录用它列出 JavaScript 的前向计算）。"""
    path = WEB_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"演示文件不存在：{path}（lenet 安装不完整？重新 pip install -e .）\n"
            f"demo file missing: {path} (incomplete install? run pip install -e .)"
        )
    return path.read_text(encoding="utf-8")


def export_model(network, label: str, note: str = "") -> dict:
    """一个 LeNet（``lenet.model.LeNet``）→ 页面能读的字典：全部参数按 :data:`TENSORS` 的顺序拼成
    小端 float32，再 base64 编码（JavaScript 端见 ``forward.js`` 的 ``loadModel``）。"""
    state = network.state_dict()
    parts = []
    for name, shape in TENSORS:
        if name not in state:
            raise ValueError(
                f"网络里没有参数 {name}：不是 lenet.model.LeNet？\n"
                f"network has no parameter {name}: not a lenet.model.LeNet?"
            )
        value = np.asarray(state[name].numpy(), dtype="<f4")
        if value.shape != shape:
            raise ValueError(
                f"参数 {name} 的形状是 {value.shape}，应为 {shape}\n"
                f"parameter {name} has shape {value.shape}, expected {shape}"
            )
        parts.append(value.ravel())
    data = np.concatenate(parts).astype("<f4").tobytes()
    return {
        "label": label,
        "note": note,
        "activation": network.activation,
        "tensors": [[name, list(shape)] for name, shape in TENSORS],
        "data": base64.b64encode(data).decode("ascii"),
    }


def decode_model(spec: dict) -> dict[str, np.ndarray]:
    """:func:`export_model` 的逆运算（测试用）：名字 → float32 数组。"""
    flat = np.frombuffer(base64.b64decode(spec["data"]), dtype="<f4")
    out, offset = {}, 0
    for name, shape in spec["tensors"]:
        n = int(np.prod(shape))
        out[name] = flat[offset : offset + n].reshape(shape)
        offset += n
    if offset != flat.size:
        raise ValueError(f"权重长度不符：{flat.size} 个数，张量共 {offset} 个 / weight size mismatch")
    return out


def course_configs() -> dict:
    """演示里每个模型的键 → (训练配置, 标签)：原笔记本的 Sigmoid 模型和 FAST（测试也从这里取）。"""
    from . import recipe, train

    return {
        "original": (train.ORIGINAL_CONFIG, "原笔记本的 Sigmoid 模型"),
        "fast": (recipe.FAST, "FAST 配方（ReLU）"),
    }


def course_models(verbose: int = 0) -> dict:
    """书里演示的两个模型（从模型缓存读取，没有就训练一次），见 :func:`course_configs`。"""
    from . import cache, train

    models = {}
    for key, (config, label) in course_configs().items():
        network = cache.trained(config, verbose=verbose)[0]
        acc = train.evaluate(network)["acc"]
        models[key] = export_model(network, label, note=f"{label}：测试集准确率 {acc:.2%}")
    return models


def html(models: dict, initial: str | None = None) -> str:
    """演示的完整 HTML 片段：样式、一个容器和一段脚本（代码 + 权重），不引用任何外部文件。"""
    if not models:
        raise ValueError("至少需要一个模型 / at least one model is needed")
    spec = {"models": models, "initial": initial or next(iter(models))}
    payload = json.dumps(spec, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    code = "\n".join(source(name) for name in SCRIPTS)
    return (
        f"<style>{source(STYLE)}</style>\n"
        '<div class="lenet-demo" lang="zh-CN">（这里是手写数字演示：需要浏览器运行 JavaScript）</div>\n'
        f"<script>\n{code}\n"
        f"LeNetDemo.mount(document.currentScript.previousElementSibling, {payload});\n</script>\n"
    )


def demo(models: dict | None = None, initial: str = "fast"):
    """在笔记本、书和幻灯片里显示演示（``IPython.display.HTML``）；默认用 :func:`course_models`。"""
    from IPython.display import HTML

    models = course_models() if models is None else models
    return HTML(html(models, initial=initial if initial in models else None))
