"""把训练好的 LeNet 带出笔记本：导出、换一种运行方式、并核对结果与原网络相同。

一条链（每一环都能单独用）：

1. :func:`save_inference_model`：``paddle.jit.save`` 把动态图网络转成静态图，输入形状
   ``[None, 1, 28, 28]``（批大小可变）。写出的文件随 Paddle 版本不同（:func:`model_files`）：
   Paddle 2.6 是 ``.pdmodel``（ProgramDesc，protobuf）+ ``.pdiparams``（参数）+ ``.pdiparams.info``；
   Paddle 3.x 默认启用新的中间表示 PIR，写 ``.json``（PIR 程序）+ ``.pdiparams``。
2. :func:`load_jit`：``paddle.jit.load`` 读回来，仍在 Python 和 Paddle 里运行。
3. :func:`paddle_inference`：Paddle Inference 预测器（``paddle.inference.Config`` / ``create_predictor``），
   部署到服务器时用的 C++ 推理引擎，Python 只是一层薄接口。
4. :func:`export_onnx`：用 ``paddle2onnx`` 转成 ONNX（通用的模型格式）；:func:`onnx_runtime` 用
   ONNX Runtime 运行它——不再需要 Paddle。paddle2onnx 2.x 只支持 Paddle 3.x，Paddle 2.6 用 1.3.1；
   装不上或版本不配时抛出 :class:`ConverterUnavailable`，说明原因和办法。

:func:`check_equal` 核对每一种运行方式的 logits 与动态图网络逐个相同（差 ≤ 1e-5·(1 + |logit|)，
argmax 处处一致）；:func:`benchmark` 测量文件大小、批大小 1 的延迟和批大小 1000 的吞吐。
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

TOLERANCE = 1e-5  # logits 允许的差：|差| ≤ TOLERANCE·(1 + |logit|)，见 check_equal
ONNX_OPSET = 13
INPUT_NAME = "image"


class DeployError(RuntimeError):
    """导出或部署失败（文件缺失、结果与原网络不一致等）。信息中英文双语。"""

    def __init__(self, zh: str, en: str, path=None, fix_zh: str = "", fix_en: str = ""):
        self.path = None if path is None else Path(path)
        where = "" if self.path is None else f"：{self.path}"
        where_en = "" if self.path is None else f": {self.path}"
        fix = f"\n修复方法：{fix_zh}\nFix: {fix_en}" if fix_zh else ""
        super().__init__(f"{zh}{where}\n{en}{where_en}{fix}")


class ConverterUnavailable(DeployError):
    """ONNX 转换器（paddle2onnx）或 ONNX Runtime 在当前环境里不可用。"""


# ---------------------------------------------------------------- 模型目录（训练结果）


def load_trained(path):
    """读取一个训练结果目录（``lenet train --out`` 写的，或模型缓存里的一项）：返回 (LeNet, config dict)。

    目录里有 ``model.pdparams``（参数）和 ``config.json``（训练配置，从中读出激活函数）。
    """
    import paddle

    from .model import LeNet

    path = Path(path)
    params, config_file = path / "model.pdparams", path / "config.json"
    if path.is_file() and path.suffix == ".pdparams":
        params, config_file = path, path.with_name("config.json")
    if not params.is_file():
        raise DeployError(
            "找不到训练好的模型（model.pdparams）",
            "trained model (model.pdparams) not found",
            path,
            "先运行 `python -m lenet train --out 目录`，或检查 --model 的路径。",
            "run `python -m lenet train --out DIR` first, or check the --model path.",
        )
    config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.is_file() else {}
    network = LeNet(config.get("activation", "relu"))
    try:
        network.set_state_dict(paddle.load(str(params)))
    except Exception as exc:  # 损坏、截断、不是 Paddle 参数文件
        raise DeployError(
            f"模型参数文件无法读取（{type(exc).__name__}）",
            "cannot read the model parameters",
            params,
            "重新训练或重新复制这个文件。",
            "train again or copy the file again.",
        ) from exc
    network.eval()
    return network, config


def save_trained(network, path, config: dict | None = None, history: list | None = None) -> Path:
    """把网络参数和训练配置写进目录 ``path``（与模型缓存的一项同样的布局），返回目录。"""
    import paddle

    from .cache import write_dir_atomically

    path = Path(path)

    def fill(tmp: Path) -> None:
        paddle.save(network.state_dict(), str(tmp / "model.pdparams"))
        (tmp / "config.json").write_text(json.dumps(config or {}, indent=1), encoding="utf-8")
        (tmp / "history.json").write_text(json.dumps(history or [], indent=1), encoding="utf-8")

    write_dir_atomically(path, fill)
    return path


# ---------------------------------------------------------------- 1–3. Paddle


def input_spec():
    """可变批大小的输入：``[None, 1, 28, 28]``，float32。"""
    from paddle.static import InputSpec

    return [InputSpec([None, 1, 28, 28], "float32", INPUT_NAME)]


def save_inference_model(network, prefix) -> list[Path]:
    """``paddle.jit.save``：写出静态图模型 ``prefix.*``，返回写出的文件（按名字排序）。"""
    import paddle

    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    was_training = network.training
    network.eval()
    paddle.jit.save(network, str(prefix), input_spec=input_spec())
    if was_training:
        network.train()
    return sorted(p for p in prefix.parent.iterdir() if p.name.startswith(prefix.name + "."))


def model_files(prefix) -> dict[str, Path]:
    """``{"model": 程序文件, "params": 参数文件}``：Paddle 3.x 的 ``.json``（PIR）或 Paddle 2.6 的 ``.pdmodel``。"""
    prefix = Path(prefix)
    params = prefix.with_name(prefix.name + ".pdiparams")
    for suffix in (".json", ".pdmodel"):
        model = prefix.with_name(prefix.name + suffix)
        if model.is_file() and params.is_file():
            return {"model": model, "params": params}
    raise DeployError(
        "找不到导出的模型（.json 或 .pdmodel，以及 .pdiparams）",
        "exported model not found (.json or .pdmodel, plus .pdiparams)",
        prefix,
        "先用 save_inference_model 或 `python -m lenet export --format paddle` 导出。",
        "export first with save_inference_model or `python -m lenet export --format paddle`.",
    )


def load_jit(prefix) -> Callable[[np.ndarray], np.ndarray]:
    """``paddle.jit.load`` 读回静态图模型；返回 numpy → numpy 的函数。"""
    import paddle

    model_files(prefix)  # 文件不全时给出清楚的错误
    layer = paddle.jit.load(str(prefix))
    layer.eval()

    def predict(x: np.ndarray) -> np.ndarray:
        with paddle.no_grad():
            return layer(paddle.to_tensor(x)).numpy()

    return predict


def _on_gpu() -> bool:
    """Paddle 当前是否在用 GPU（CUDA 版 Paddle，且当前设备不是 CPU）。"""
    import paddle

    return paddle.device.is_compiled_with_cuda() and not paddle.device.get_device().startswith("cpu")


def paddle_inference(prefix) -> Callable[[np.ndarray], np.ndarray]:
    """Paddle Inference 预测器：``Config(模型文件, 参数文件)`` → ``create_predictor``。

    设备跟随 Paddle 当前的设备（有 GPU 且 Paddle 在用 GPU 时用 GPU，否则 CPU），CPU 上用 1 个线程。
    """
    from paddle import inference

    files = model_files(prefix)
    config = inference.Config(str(files["model"]), str(files["params"]))
    if _on_gpu():
        config.enable_use_gpu(256, 0)
    else:
        config.set_cpu_math_library_num_threads(1)
    config.disable_glog_info()
    predictor = inference.create_predictor(config)
    x_handle = predictor.get_input_handle(predictor.get_input_names()[0])
    y_handle = predictor.get_output_handle(predictor.get_output_names()[0])

    def predict(x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        x_handle.reshape(list(x.shape))
        x_handle.copy_from_cpu(x)
        predictor.run()
        return y_handle.copy_to_cpu()

    return predict


# ---------------------------------------------------------------- 4. ONNX


def _import_paddle2onnx():
    import paddle

    try:
        import paddle2onnx
    except Exception as exc:  # 没装，或 2.x 遇到 Paddle 2.6 时在导入时就报错
        raise ConverterUnavailable(
            f"paddle2onnx 在这个环境里不可用（Paddle {paddle.__version__}；{type(exc).__name__}: {exc}）",
            f"paddle2onnx is not available here (Paddle {paddle.__version__})",
            fix_zh="Paddle 3.x：pip install paddle2onnx onnx onnxruntime；Paddle 2.6：pip install paddle2onnx==1.3.1 "
            "onnx onnxruntime。",
            fix_en="Paddle 3.x: pip install paddle2onnx onnx onnxruntime; Paddle 2.6: pip install "
            "paddle2onnx==1.3.1 onnx onnxruntime.",
        ) from exc
    return paddle2onnx


def onnx_available() -> tuple[bool, str]:
    """(能否导出并运行 ONNX, 说明)：不能时说明是缺哪个包、为什么。"""
    try:
        p2o = _import_paddle2onnx()
        _import_onnxruntime()
    except ConverterUnavailable as exc:
        return False, str(exc)
    return True, f"paddle2onnx {p2o.__version__}"


def export_onnx(prefix, onnx_path=None, opset: int = ONNX_OPSET) -> Path:
    """用 paddle2onnx 把 ``prefix.*`` 的静态图模型转成 ONNX 文件（默认 ``prefix.onnx``），返回路径。

    不让 paddle2onnx 自己写文件：那样 2.x 会调用 Polygraphy 做常量折叠，并试图在运行时 pip 安装依赖；
    取回字节串由我们写入，ONNX 图与转换器直接生成的相同。
    """
    p2o = _import_paddle2onnx()
    files = model_files(prefix)
    onnx_path = Path(onnx_path) if onnx_path else Path(prefix).with_name(Path(prefix).name + ".onnx")
    with _quiet_stdout():
        data = p2o.export(str(files["model"]), str(files["params"]), opset_version=opset, verbose=False)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    onnx_path.write_bytes(data)
    return onnx_path


@contextmanager
def _quiet_stdout():
    """paddle2onnx 的 C++ 部分直接往文件描述符 1 打印进度（笔记本里也会出现）；转换期间把它接到空设备。
    出错时转换器抛出异常，不靠这些输出报告。"""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # 没有文件描述符 1（某些嵌入式环境）：照常输出
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _import_onnxruntime():
    try:
        import onnxruntime
    except Exception as exc:
        raise ConverterUnavailable(
            f"onnxruntime 在这个环境里不可用（{type(exc).__name__}: {exc}）",
            "onnxruntime is not available here",
            fix_zh="pip install onnxruntime",
            fix_en="pip install onnxruntime",
        ) from exc
    return onnxruntime


def onnx_runtime(onnx_path) -> Callable[[np.ndarray], np.ndarray]:
    """用 ONNX Runtime 运行 ONNX 模型（不需要 Paddle）；CPU 上用 1 个线程。"""
    ort = _import_onnxruntime()
    onnx_path = Path(onnx_path)
    if not onnx_path.is_file():
        raise DeployError(
            "找不到 ONNX 模型文件",
            "ONNX model file not found",
            onnx_path,
            "先运行 `python -m lenet export --format onnx`。",
            "run `python -m lenet export --format onnx`.",
        )
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3  # 只报错误：转换留下的未用常量的警告对读者无意义
    session = ort.InferenceSession(str(onnx_path), options, providers=ort.get_available_providers())
    name = session.get_inputs()[0].name

    def predict(x: np.ndarray) -> np.ndarray:
        return session.run(None, {name: np.ascontiguousarray(x, dtype=np.float32)})[0]

    return predict


# ---------------------------------------------------------------- 核对与测速


def dygraph(network) -> Callable[[np.ndarray], np.ndarray]:
    """动态图网络本身（参照）：numpy → numpy。"""
    import paddle

    network.eval()

    def predict(x: np.ndarray) -> np.ndarray:
        with paddle.no_grad():
            return network(paddle.to_tensor(x)).numpy()

    return predict


@dataclass
class Backend:
    """一种运行方式：名字、预测函数、它需要的文件。"""

    name: str
    predict: Callable[[np.ndarray], np.ndarray]
    files: list[Path] = field(default_factory=list)

    def size(self) -> int:
        """所需文件的总字节数（动态图网络：参数本身的字节数）。"""
        return sum(p.stat().st_size for p in self.files)

    def __call__(self, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        return np.concatenate([self.predict(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])


def backends(network, directory, onnx: bool = True) -> tuple[dict[str, Backend], str | None]:
    """把网络导出到 ``directory``，返回 ({名字: Backend}, ONNX 被跳过的原因或 None)。

    名字依次为 ``dygraph``、``jit.load``、``Paddle Inference``、``ONNX Runtime``；
    ONNX 转换器不可用时最后一项不在结果里，原因在第二个返回值中（不会悄悄跳过）。
    """
    directory = Path(directory)
    prefix = directory / "lenet"
    saved = save_inference_model(network, prefix)
    params = directory / "dygraph.pdparams"
    import paddle

    paddle.save(network.state_dict(), str(params))
    files = model_files(prefix)
    paddle_files = [p for p in saved if p.suffix in (".json", ".pdmodel", ".pdiparams")]
    result = {
        "dygraph": Backend("dygraph", dygraph(network), [params]),
        "jit.load": Backend("jit.load", load_jit(prefix), paddle_files),
        "Paddle Inference": Backend("Paddle Inference", paddle_inference(prefix), [files["model"], files["params"]]),
    }
    skipped = None
    if onnx:
        try:
            path = export_onnx(prefix)
            result["ONNX Runtime"] = Backend("ONNX Runtime", onnx_runtime(path), [path])
        except ConverterUnavailable as exc:
            skipped = str(exc)
    return result, skipped


def check_equal(reference: np.ndarray, logits: np.ndarray, tolerance: float = TOLERANCE, name: str = "") -> dict:
    """核对两组 logits 逐个相同：每个元素 ``|差| ≤ tolerance·(1 + |参照值|)``，且 argmax 处处一致；
    否则抛出 :class:`DeployError`。

    float32 的 logits 在不同的计算顺序下会差几个最后一位（ULP）：绝对值越大，一个 ULP 越大
    （|x|≈32 时约 4e-6），所以允许的差随 |参照值| 放大（即 ``np.allclose`` 的 rtol = atol = tolerance）。
    返回 ``{"max_abs_diff", "max_rel_diff", "argmax_agree"（一致的比例）, "n"}``。
    """
    reference, logits = np.asarray(reference, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    if reference.shape != logits.shape:
        raise DeployError(
            f"{name} 输出形状 {logits.shape} 与原网络 {reference.shape} 不同",
            f"{name} output shape {logits.shape} differs from the network's {reference.shape}",
        )
    diff = np.abs(reference - logits)
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel = float((diff / (1.0 + np.abs(reference))).max()) if diff.size else 0.0
    agree = float((reference.argmax(1) == logits.argmax(1)).mean()) if len(reference) else 1.0
    if not max_rel <= tolerance or agree < 1.0:
        raise DeployError(
            f"{name} 的输出与原网络不一致：最大绝对差 {max_abs:.2e}，相对差 {max_rel:.2e}（允许 {tolerance:g}），"
            f"argmax 一致 {agree:.4%}",
            f"{name} output differs from the network: max abs diff {max_abs:.2e}, relative {max_rel:.2e} "
            f"(allowed {tolerance:g}), argmax agreement {agree:.4%}",
        )
    return {"max_abs_diff": max_abs, "max_rel_diff": max_rel, "argmax_agree": agree, "n": int(len(reference))}


def benchmark(backend: Backend, images: np.ndarray, calls: int = 200, batch: int = 1000, batch_calls: int = 5) -> dict:
    """测速（不做断言，只报告）：批大小 1 调用 ``calls`` 次的延迟中位数（毫秒），
    批大小 ``batch`` 调用 ``batch_calls`` 次的最快一次换算的吞吐（张/秒）。先各预热一次。"""
    one = images[:1]
    many = images[:batch]
    backend.predict(one)
    backend.predict(many)
    latencies = []
    for i in range(calls):
        x = images[i % len(images)][None]
        start = time.perf_counter()
        backend.predict(x)
        latencies.append(time.perf_counter() - start)
    best = min(_timed(backend.predict, many) for _ in range(batch_calls))
    return {
        "name": backend.name,
        "bytes": backend.size(),
        "latency_ms": statistics.median(latencies) * 1e3,
        "throughput": len(many) / best,
    }


def _timed(fn, x) -> float:
    start = time.perf_counter()
    fn(x)
    return time.perf_counter() - start


# ---------------------------------------------------------------- 一步导出（命令行用）


def export(network, out_dir, fmt: str = "paddle", check_images: np.ndarray | None = None) -> dict:
    """导出 ``fmt``（``"paddle"`` 或 ``"onnx"``）到 ``out_dir``，读回来与网络在 ``check_images``
    （已归一化的 N×1×28×28 float32）上核对，一致才返回 ``{"files", "check"}``；不一致抛出 :class:`DeployError`。
    """
    if fmt not in ("paddle", "onnx"):
        raise DeployError(
            f"不支持的格式 {fmt!r}",
            f"unsupported format {fmt!r}",
            fix_zh="用 paddle 或 onnx。",
            fix_en="use paddle or onnx.",
        )
    out_dir = Path(out_dir)
    prefix = out_dir / "lenet"
    if fmt == "onnx":
        _import_paddle2onnx()  # 不可用时先报错，不留下半套文件
        _import_onnxruntime()
    files = save_inference_model(network, prefix)
    if fmt == "onnx":
        path = export_onnx(prefix)
        files = [path]
        predict = onnx_runtime(path)
        for p in model_files(prefix).values():  # 只留下 ONNX 文件
            p.unlink()
        for p in out_dir.glob("lenet.pdiparams.info"):
            p.unlink()
    else:
        predict = paddle_inference(prefix)
    if check_images is None:
        check_images = np.random.default_rng(0).uniform(-1, 1, (256, 1, 28, 28)).astype(np.float32)
    reference = Backend("dygraph", dygraph(network))(check_images)
    check = check_equal(reference, Backend(fmt, predict)(check_images), name=fmt)
    return {"files": files, "check": check}


def environment() -> dict:
    """版本信息（报告用）：Paddle、paddle2onnx、onnxruntime、CPU 核数。"""
    import paddle

    info = {"paddle": paddle.__version__, "cpus": os.cpu_count()}
    for name in ("paddle2onnx", "onnxruntime"):
        try:
            info[name] = __import__(name).__version__
        except Exception:
            info[name] = None
    return info
