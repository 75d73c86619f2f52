"""数据并行训练：每个进程持有一份完整的 LeNet，各算全局批次的一部分，梯度经 all-reduce 平均后同步更新。

用 Paddle 自己的启动器运行（启动器按文件路径运行训练脚本，本文件就是那个脚本）::

    python -m paddle.distributed.launch --nproc_per_node 2 --log_dir logs \
        src/lenet/distributed.py train --preset best --epochs 1

CPU 上启动器自动选 Gloo 通信（``PADDLE_DISTRI_BACKEND=gloo``），不需要设环境变量；有 GPU 时自动用 NCCL。
不经启动器直接运行 ``python -m lenet.distributed train ...`` 就是普通的单进程训练。

- ``train``：完整的训练脚本。rank 0 先确认数据在共享目录里（必要时只由它下载），其余进程等它；
  之后每个进程从共享目录读取并校验数据；``DistributedBatchSampler`` 分片、每轮 ``set_epoch``；
  只有 rank 0 打印逐轮日志、保存模型（缓存项的格式，:func:`lenet.cache.trained` 能直接读取）。
- ``probe``：数值检查与计时。每个进程把参数和每步耗时存成 ``rank<N>.npz``，由 :func:`probe_results` 汇总。
- :func:`launch`：从 Python（章节、测试）启动上面两者，带超时；任何一个进程失败或卡住，都抛出
  :class:`DistributedRunError`，中英文说明是哪个进程、日志在哪里。
"""

from __future__ import annotations

if __name__ == "__main__" and not __package__:
    # 启动器以文件路径运行本模块（python -u .../lenet/distributed.py）：改为按包内模块运行，相对导入才可用
    import runpy as _runpy
    import sys as _sys
    from pathlib import Path as _Path

    _sys.path[0] = str(_Path(__file__).resolve().parents[1])
    _runpy.run_module("lenet.distributed", run_name="__main__", alter_sys=True)
    raise SystemExit(0)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass, field, replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import ClassVar  # noqa: E402

import numpy as np  # noqa: E402
import paddle  # noqa: E402
import paddle.distributed as dist  # noqa: E402
import paddle.nn.functional as F  # noqa: E402

from . import cache, recipe  # noqa: E402
from . import data as lenet_data  # noqa: E402
from .model import LeNet  # noqa: E402
from .recipe import RecipeConfig  # noqa: E402
from .train import set_seed  # noqa: E402

PRESETS = {"fast": recipe.FAST, "best": recipe.BEST, "duo": recipe.DUO, "original": recipe.ORIGINAL_FAST}


@dataclass(frozen=True)
class DataParallelConfig(RecipeConfig):
    """``lenet.recipe`` 的训练配方，由 ``nprocs`` 个进程数据并行地训练。

    ``batch_size`` 是**全局**批大小：每个进程每步取 ``batch_size // nprocs`` 张。
    :func:`lenet.cache.trained` 可以缓存它：没有缓存时 ``run`` 用启动器训练。
    """

    prefix: ClassVar[str] = "ddp"

    nprocs: int = 2

    def run(self, verbose: int = 1, data_dir=None):
        import tempfile

        with tempfile.TemporaryDirectory(prefix="lenet-ddp-") as tmp:
            out = Path(tmp) / "model"
            args = ["train", "--config", json.dumps(asdict(self)), "--out", str(out)]
            if data_dir is not None:
                args += ["--data-dir", str(data_dir)]
            result = launch(args, nprocs=self.nprocs, log_dir=Path(tmp) / "logs")
            if verbose:
                print(readable(result.log(0)))
            network, history = cache.load(out, self.activation)
        return network, history


def from_recipe(config: RecipeConfig, nprocs: int = 2) -> DataParallelConfig:
    """把单进程的配方换成 ``nprocs`` 个进程训练的同一配方（全局批大小不变）。"""
    return DataParallelConfig(**asdict(config), nprocs=nprocs)


# ---------------------------------------------------------------- 进程信息


def world() -> tuple[int, int]:
    """(本进程的 rank, 进程总数)，取自启动器设置的环境变量；不经启动器运行时为 (0, 1)。"""
    return int(os.environ.get("PADDLE_TRAINER_ID", 0)), int(os.environ.get("PADDLE_TRAINERS_NUM", 1))


def init() -> tuple[int, int]:
    """多于一个进程时建立进程组（CPU 上是 Gloo）；返回 (rank, 进程总数)。"""
    rank, size = world()
    if size > 1:
        dist.init_parallel_env()
    return rank, size


def log0(*args) -> None:
    """只在 rank 0 打印：N 个进程各打一遍，日志就乱了。"""
    if world()[0] == 0:
        print(*args, flush=True)


def log_all(*args) -> None:
    """每个进程都打印，行首标出 rank（启动器把每个进程的输出写进各自的 workerlog.N）。"""
    rank, size = world()
    print(f"[rank {rank}/{size}]", *args, flush=True)


def flat_parameters(network: paddle.nn.Layer) -> np.ndarray:
    """全部参数拼成一个一维 float64 数组（比较两份模型用）。"""
    return np.concatenate([p.numpy().astype(np.float64).ravel() for p in network.parameters()])


def _all_reduce_sum(values) -> np.ndarray:
    t = paddle.to_tensor(np.asarray(values, dtype=np.float64))
    if world()[1] > 1:
        dist.all_reduce(t)
    return t.numpy()


class IndexDataset(paddle.io.Dataset):
    """只有长度的数据集：DistributedBatchSampler 只需要它给出下标，图像从内存中的整块张量里取。"""

    def __init__(self, n: int):
        self.n = n

    def __getitem__(self, i):
        return i

    def __len__(self):
        return self.n


# ---------------------------------------------------------------- 训练脚本


def _parse_fault(text: str | None):
    if not text:
        return None
    m = re.fullmatch(r"(\d+):(\d+)", text)
    if not m:
        raise ValueError(f"应为 RANK:STEP，例如 1:3；得到 {text!r} / expected RANK:STEP, e.g. 1:3")
    return int(m[1]), int(m[2])


def load_data(data_dir=None):
    """每个进程从共享目录读取并校验 MNIST。

    只有 rank 0 可能联网下载（本地没有文件时），其余进程在 barrier 处等它，避免几个进程同时下载同一个文件。
    """
    rank, size = world()
    if rank == 0:
        lenet_data.find_data_dir(data_dir)
    if size > 1:
        dist.barrier()
    start = time.perf_counter()
    train = lenet_data.load_numpy("train", data_dir)
    test = lenet_data.load_numpy("test", data_dir)
    log_all(
        f"从 {lenet_data.find_data_dir(data_dir)} 读取并校验 MNIST（MD5）：{len(train[0])} 张训练图，"
        f"{len(test[0])} 张测试图，{time.perf_counter() - start:.1f} 秒"
    )
    return train, test


def evaluate_sharded(network, x_test, y_test) -> float:
    """每个进程只评估测试集的 1/N（rank, rank+N, ...），正确数用 all-reduce 相加。"""
    rank, size = world()
    acc = recipe.accuracy(network, x_test[rank::size], y_test[rank::size])
    correct, n = _all_reduce_sum([acc * len(y_test[rank::size]), len(y_test[rank::size])])
    return float(round(correct) / n)


def train(config: DataParallelConfig, out: Path | None = None, data_dir=None, crash=None, hang=None):
    """数据并行训练 ``config``；rank 0 把模型写进 ``out``（默认：模型缓存中这个配置的缓存项）。

    ``crash`` / ``hang`` = (rank, step)：让这个进程在第 step 步抛出异常 / 卡住不动（演示和测试故障用）。
    返回 (网络, 逐轮记录)。
    """
    rank, size = init()
    if config.batch_size % size:
        raise ValueError(
            f"全局批大小 {config.batch_size} 不能被进程数 {size} 整除 / "
            f"global batch size {config.batch_size} is not divisible by {size} processes"
        )
    local_batch = config.batch_size // size
    (images, labels), (test_images, test_labels) = load_data(data_dir)
    x, y, x_val, y_val = recipe.training_tensors(config, images, labels)  # 与单进程的 recipe.fit 同样切分
    n_fit = x.shape[0]
    x_test, y_test = recipe.to_tensors(test_images, test_labels)

    set_seed(config.seed)  # 各进程同一个种子 → 同样的初始参数；DataParallel 还会再从 rank 0 广播一次
    network = LeNet(config.activation)
    model = paddle.DataParallel(network) if size > 1 else network
    paddle.seed(config.seed + 1000 * rank)  # 数据增强的随机数：各进程不同

    # 所有进程用同一个打乱顺序（种子是轮次），各取其中互不重叠的一份；不足一批的尾巴丢掉
    sampler = paddle.io.DistributedBatchSampler(
        IndexDataset(n_fit), batch_size=local_batch, shuffle=True, drop_last=True
    )
    steps = len(sampler)
    opt, scheduler = recipe.make_optimizer(config, network, config.epochs * steps)
    log_all(
        f"每轮 {steps} 步，每步本进程 {local_batch} 张（全局批 {config.batch_size}），"
        f"每轮本进程看到 {steps * local_batch} 张"
    )

    history, train_seconds, step_no = [], 0.0, 0
    network.train()
    for epoch in range(1, config.epochs + 1):
        sampler.set_epoch(epoch)  # 忘了它：从检查点恢复或每轮新建 sampler 时，每轮的顺序都一样
        start = time.perf_counter()
        total = paddle.zeros([])
        for idx in sampler:
            step_no += 1
            if crash and crash == (rank, step_no):
                raise RuntimeError(
                    f"rank {rank} 在第 {step_no} 步出错（演示用的故障）/ "
                    f"rank {rank} failed at step {step_no} (injected fault)"
                )
            if hang and hang == (rank, step_no):
                log_all(f"第 {step_no} 步：本进程卡住不动（演示用的故障）")
                time.sleep(10**6)
            idx = paddle.to_tensor(idx)
            xb = x[idx]
            if config.augment:
                xb = config.augment_batch(xb)
            loss = F.cross_entropy(model(xb), y[idx], label_smoothing=config.label_smoothing)
            loss.backward()  # DataParallel：反向传播结束时各进程的梯度已经 all-reduce 平均
            opt.step()
            opt.clear_grad()
            if scheduler is not None:
                scheduler.step()
            total += loss.detach()
        seconds = time.perf_counter() - start
        train_seconds += seconds
        loss_sum, _ = _all_reduce_sum([float(total), 0.0])
        row = {
            "epoch": epoch,
            "train_loss": loss_sum / (steps * size),
            "seconds": train_seconds,
            "images_per_second": steps * config.batch_size / seconds,
            "test_acc": evaluate_sharded(network, x_test, y_test),
        }
        if config.holdout:
            row["val_acc"] = evaluate_sharded(network, x_val, y_val)
        history.append(row)
        extra = f"  val_acc {row['val_acc']:.4f}" if config.holdout else ""
        log0(
            f"epoch {epoch:2d}/{config.epochs}  loss {row['train_loss']:.4f}  test_acc {row['test_acc']:.4f}{extra}  "
            f"{row['images_per_second']:6.0f} 张/秒（{size} 个进程合计）  {train_seconds:6.1f} s"
        )

    network.eval()
    checksum = float(np.abs(flat_parameters(network)).sum())
    log_all(f"训练结束：参数绝对值之和 {checksum:.6f}（各进程应当完全相同）")
    if rank == 0:
        _save(network, history, config, out)
    if size > 1:
        dist.barrier()  # rank 0 写完之前谁也不退出
    return network, history


def _save(network, history, config: DataParallelConfig, out: Path | None) -> None:
    def fill(tmp: Path) -> None:
        paddle.save(network.state_dict(), str(tmp / "model.pdparams"))
        (tmp / "history.json").write_text(json.dumps(history, indent=1), encoding="utf-8")
        (tmp / "config.json").write_text(json.dumps(asdict(config), indent=1), encoding="utf-8")

    if out is None:
        entry = cache.default_cache_dir() / config.name()
        with cache.entry_lock(entry):
            cache.write_dir_atomically(entry, fill)
        out = entry
    else:
        cache.write_dir_atomically(Path(out), fill)
    log0(f"rank 0 保存模型：{out}")


# ---------------------------------------------------------------- 数值检查与计时


@dataclass(frozen=True)
class ProbeConfig:
    """:func:`probe` 的设置：同一批样本、同一份初始参数，先 SGD 一步，再 Adam 若干步。"""

    global_batch: int = 64
    sgd_lr: float = 0.1  # 第一步用 SGD：更新量与梯度成正比，梯度“平均还是相加”一眼可见
    adam_steps: int = 20
    adam_lr: float = 1e-3
    activation: str = "relu"
    seed: int = 0
    timing_rounds: int = 5  # 计时：有通信、无通信各 timing_rounds 轮交替，每轮 timing_steps 步
    timing_steps: int = 20


def _batches(config: ProbeConfig, data_dir=None):
    n = config.global_batch * (1 + config.adam_steps)
    images, labels = lenet_data.load_numpy("train", data_dir)
    return recipe.to_tensors(images[:n], labels[:n])


def _step(model, opt, x, y):
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    opt.clear_grad()


def probe_parameters(
    config: ProbeConfig = ProbeConfig(), rank: int = 0, size: int = 1, allreduce: bool = True, data_dir=None
) -> dict[str, np.ndarray]:
    """第 k 个全局批次是训练集的第 k 个 64 张；进程 ``rank`` 只取其中第 rank 份。

    ``size=1`` 就是单进程在整个全局批次上训练（对照）。``allreduce=False`` 时不用 DataParallel：
    各进程只在自己那一份上更新（错误的写法，作对照）。返回初始、SGD 一步后、再 Adam 若干步后的参数。
    """
    x, y = _batches(config, data_dir)
    local = config.global_batch // size

    def shard(k):
        lo = k * config.global_batch + rank * local
        return x[lo : lo + local], y[lo : lo + local]

    set_seed(config.seed)
    network = LeNet(config.activation)
    model = paddle.DataParallel(network) if size > 1 and allreduce else network
    result = {"initial": flat_parameters(network)}
    _step(model, paddle.optimizer.SGD(config.sgd_lr, parameters=network.parameters()), *shard(0))
    result["one_step"] = flat_parameters(network)
    adam = paddle.optimizer.Adam(config.adam_lr, parameters=network.parameters())
    for k in range(1, 1 + config.adam_steps):
        _step(model, adam, *shard(k))
    result["several_steps"] = flat_parameters(network)
    return result


def time_steps(config: ProbeConfig = ProbeConfig(), size: int = 1, data_dir=None) -> dict[str, np.ndarray]:
    """每步训练的耗时（秒）。多进程时交替测量“有 all-reduce”和 ``no_sync()``（只计算、不通信）的步，
    并单独测一次与全部梯度同样大小的 all-reduce。本进程每步取 ``global_batch // size`` 张。"""
    x, y = _batches(config, data_dir)
    local = config.global_batch // size
    xb, yb = x[:local], y[:local]
    set_seed(config.seed)
    network = LeNet(config.activation)
    model = paddle.DataParallel(network) if size > 1 else network
    opt = paddle.optimizer.Adam(config.adam_lr, parameters=network.parameters())
    for _ in range(3):  # 预热
        _step(model, opt, xb, yb)

    def timed(sync: bool) -> list[float]:
        out = []
        for _ in range(config.timing_steps):
            start = time.perf_counter()
            if sync or size == 1:
                _step(model, opt, xb, yb)
            else:
                with model.no_sync():
                    loss = F.cross_entropy(model(xb), yb)
                    loss.backward()
                opt.step()
                opt.clear_grad()
            out.append(time.perf_counter() - start)
        return out

    sync_times, compute_times = [], []
    for _ in range(config.timing_rounds):
        sync_times += timed(True)
        if size > 1:  # 单进程没有通信：一步就是计算
            compute_times += timed(False)
    result = {"step": np.array(sync_times), "compute": np.array(compute_times or sync_times)}
    if size > 1:
        grads = paddle.zeros([sum(int(p.numel()) for p in network.parameters())])
        allreduce = []
        for _ in range(config.timing_rounds * config.timing_steps):
            start = time.perf_counter()
            dist.all_reduce(grads)
            allreduce.append(time.perf_counter() - start)
        result["allreduce"] = np.array(allreduce)
    return result


def probe(out: Path, config: ProbeConfig = ProbeConfig(), data_dir=None) -> None:
    """每个进程：有/无 all-reduce 的参数、每步耗时，写入 ``out/rank<N>.npz``（这里每个进程都要写）。"""
    rank, size = init()
    if config.global_batch % size:
        raise ValueError(
            f"全局批大小 {config.global_batch} 不能被进程数 {size} 整除 / "
            f"global batch {config.global_batch} is not divisible by {size} processes"
        )
    if rank == 0:
        lenet_data.find_data_dir(data_dir)
    if size > 1:
        dist.barrier()
    synced = probe_parameters(config, rank, size, allreduce=True, data_dir=data_dir)
    alone = probe_parameters(config, rank, size, allreduce=False, data_dir=data_dir)
    timing = time_steps(config, size, data_dir)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    arrays = {
        **{f"dp_{k}": v for k, v in synced.items()},
        **{f"alone_{k}": v for k, v in alone.items()},
        **{f"time_{k}": v for k, v in timing.items()},
    }
    np.savez(out / f"rank{rank}.npz", size=size, **arrays)
    log_all(f"参数与计时已写入 {out / f'rank{rank}.npz'}；每步中位数 {np.median(timing['step']) * 1e3:.2f} ms")
    if size > 1:
        dist.barrier()


def probe_results(out: Path) -> list[dict[str, np.ndarray]]:
    """读回 :func:`probe` 写下的各进程结果，按 rank 排列。"""
    files = sorted(Path(out).glob("rank*.npz"), key=lambda p: int(p.stem[4:]))
    if not files:
        raise FileNotFoundError(f"{out} 里没有 rank*.npz：probe 没有运行成功 / no probe results in {out}")
    return [dict(np.load(f)) for f in files]


# ---------------------------------------------------------------- 启动器


class DistributedRunError(RuntimeError):
    """启动器运行失败（某个进程出错）或超时（某个进程卡住）。信息中英文双语，指明进程和日志。"""

    def __init__(self, message: str, result: LaunchResult):
        super().__init__(message)
        self.result = result


@dataclass
class LaunchResult:
    command: list[str]
    returncode: int | None  # 超时被终止时为 None
    seconds: float
    output: str  # 启动器自己的输出（其中也转发了 rank 0 的输出）
    log_dir: Path
    failed_rank: int | None = None
    timed_out: bool = False
    ranks: list[int] = field(default_factory=list)

    def log(self, rank: int) -> str:
        """rank 号进程的完整日志（启动器写在 log_dir/workerlog.N）。"""
        path = self.log_dir / f"workerlog.{rank}"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def script_path() -> Path:
    """启动器要运行的训练脚本：本文件。"""
    return Path(__file__).resolve()


def launch_command(script_args, nprocs: int = 2, log_dir="log", python: str | None = None) -> list[str]:
    """``python -m paddle.distributed.launch --nproc_per_node N --log_dir DIR .../distributed.py ARGS``。"""
    return [
        python or sys.executable,
        "-m",
        "paddle.distributed.launch",
        "--nproc_per_node",
        str(nprocs),
        "--log_dir",
        str(log_dir),
        str(script_path()),
        *map(str, script_args),
    ]


def _descendants(pid: int) -> list[int]:
    """pid 的全部子孙进程（读 /proc；启动器把每个训练进程放进各自的会话，杀启动器的进程组杀不到它们）。"""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _terminate(proc: subprocess.Popen) -> None:
    pids = [proc.pid, *_descendants(proc.pid)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            proc.wait(timeout=10)
            if all(not Path(f"/proc/{p}").exists() for p in pids[1:]):
                return
        except subprocess.TimeoutExpired:
            pass


# 别的进程出错退出后，还在 all-reduce 里的进程会因通信中断而失败：这是后果，不是原因
_COMMUNICATION_ERROR = re.compile(r"gloo|nccl|TIMEOUT|Connection (reset|closed)", re.IGNORECASE)


def _first_failure(result: LaunchResult) -> int | None:
    """出错的根源进程：日志里有 Python 异常、且不是通信中断的那个；找不到时用启动器报告的进程。"""
    for rank in result.ranks:
        log = result.log(rank)
        if "Traceback (most recent call last)" in log and not _COMMUNICATION_ERROR.search(_tail(log, 15)):
            return rank
    m = re.search(r"Container rank (\d+) status failed", result.output)
    return int(m[1]) if m else None


# 启动器的配置清单、Paddle 内部的调试行和提示：读日志时不需要
_NOISE = re.compile(
    r"LAUNCH INFO \S+ \S+ ([a-z_]+: |-{5,})|={5,}|FLAGS\(|[IW]\d{4} "
    r"|\s*warnings\.warn\(|.*No ccache found"
)


def readable(text: str) -> str:
    """去掉日志里的噪声行（启动器的配置清单、Paddle 的调试输出），便于阅读。"""
    return "\n".join(line for line in text.splitlines() if line.strip() and not _NOISE.match(line))


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def launch(script_args, nprocs: int = 2, log_dir=None, timeout: float = 600.0, check: bool = True) -> LaunchResult:
    """用 ``paddle.distributed.launch`` 启动 ``nprocs`` 个进程运行本文件的 ``script_args``，等它结束。

    超过 ``timeout`` 秒还没结束（例如某个进程卡住，其余进程在 all-reduce 里等它）就终止启动器和全部训练进程。
    ``check=True`` 时，失败或超时抛出 :class:`DistributedRunError`，信息里有出错进程日志的最后几行。
    """
    import tempfile

    log_dir = Path(log_dir) if log_dir is not None else Path(tempfile.mkdtemp(prefix="lenet-launch-"))
    command = launch_command(script_args, nprocs, log_dir)
    env = dict(os.environ)
    # 训练进程要能 import lenet：把本包所在目录放进 PYTHONPATH（AI Studio 上 lenet 没有安装）
    package_parent = str(script_path().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _terminate(proc)
        output, _ = proc.communicate()
        timed_out = True
    result = LaunchResult(
        command,
        None if timed_out else proc.returncode,
        time.perf_counter() - start,
        output,
        log_dir,
        timed_out=timed_out,
        ranks=list(range(nprocs)),
    )
    result.failed_rank = _first_failure(result)
    if check and timed_out:
        logs = "\n".join(
            f"--- workerlog.{r}（最后几行 / last lines）---\n{_tail(result.log(r), 5)}" for r in range(nprocs)
        )
        raise DistributedRunError(
            f"分布式训练在 {timeout:.0f} 秒内没有结束，已终止启动器和全部训练进程。"
            f"常见原因：某个进程卡住或比别的进程少走了几步，其余进程在 all-reduce 里一直等它。"
            f"各进程的日志在 {log_dir}。\n"
            f"Distributed run did not finish within {timeout:.0f} s; the launcher and all workers were "
            f"terminated. Usually one process is stuck (or took fewer steps) while the others wait in "
            f"all-reduce. Logs: {log_dir}\n{logs}",
            result,
        )
    if check and result.returncode != 0:
        rank = result.failed_rank
        which = f"rank {rank}" if rank is not None else "启动器 / the launcher"
        detail = result.log(rank) if rank is not None else output
        raise DistributedRunError(
            f"分布式训练失败（退出码 {result.returncode}）：{which} 出错，启动器随即停止了其余进程。"
            f"日志：{log_dir}/workerlog.{rank if rank is not None else 'N'}\n"
            f"Distributed run failed (exit code {result.returncode}): {which} failed and the launcher "
            f"stopped the other processes. Log: {log_dir}\n--- 最后几行 / last lines ---\n{_tail(detail)}",
            result,
        )
    return result


# ---------------------------------------------------------------- 命令行


def _config_from_args(args) -> DataParallelConfig:
    if args.config:
        return DataParallelConfig(**json.loads(args.config))
    config = from_recipe(PRESETS[args.preset], nprocs=world()[1])
    overrides = {
        k: getattr(args, k)
        for k in ("epochs", "batch_size", "learning_rate", "train_samples", "seed")
        if getattr(args, k) is not None
    }
    return replace(config, **overrides)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lenet.distributed", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="数据并行训练（由 paddle.distributed.launch 启动）")
    t.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default="original",
        help="original：原笔记本的配置（Sigmoid、Adam、批 64、5 轮）；fast、best、duo：附录的速通配方（duo：两个进程）",
    )
    t.add_argument("--config", help="完整配置（JSON，DataParallelConfig 的字段）；给出时忽略 --preset 等")
    t.add_argument("--epochs", type=int)
    t.add_argument("--batch-size", type=int, help="全局批大小（所有进程合计）")
    t.add_argument("--learning-rate", type=float)
    t.add_argument("--train-samples", type=int)
    t.add_argument("--seed", type=int)
    t.add_argument("--out", type=Path, help="保存模型的目录（缓存项格式）；默认存进模型缓存")
    t.add_argument("--data-dir", type=Path)
    t.add_argument("--crash", metavar="RANK:STEP", help="让 RANK 号进程在第 STEP 步出错（演示、测试）")
    t.add_argument("--hang", metavar="RANK:STEP", help="让 RANK 号进程在第 STEP 步卡住（演示、测试）")
    p = sub.add_parser("probe", help="数值检查与计时：每个进程写 OUT/rank<N>.npz")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--data-dir", type=Path)
    p.add_argument("--adam-steps", type=int, default=ProbeConfig.adam_steps)
    p.add_argument("--timing-rounds", type=int, default=ProbeConfig.timing_rounds)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "train":
        config = _config_from_args(args)
        if config.nprocs != world()[1]:
            config = replace(config, nprocs=world()[1])  # 以实际启动的进程数为准
        log0(f"配置：{config}")
        train(
            config, out=args.out, data_dir=args.data_dir, crash=_parse_fault(args.crash), hang=_parse_fault(args.hang)
        )
    else:
        probe(
            args.out, ProbeConfig(adam_steps=args.adam_steps, timing_rounds=args.timing_rounds), data_dir=args.data_dir
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
