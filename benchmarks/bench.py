"""基准测试：训练速度、评估速度、达到 98% 的时间、多个随机种子上的准确率。

    python benchmarks/bench.py [--quick] [--seeds 3] [--out benchmarks/results.json] [--reuse-cache]

测什么（结果打印成表格，并写成 JSON，书的附录读取它）：

1. 训练吞吐量（张/秒）：包里的训练循环 ``lenet.recipe.fit``（ORIGINAL_FAST 的设置：Sigmoid、Adam 1e-3、
   批大小 64）与本文件里一个最简单的手写 Paddle 训练循环（同一个网络、同样的张量、同样的步数）交替各跑几次，
   取最好的一次比较；开销 = (手写 / 包 − 1)·100%。原笔记本的 ``paddle.Model.fit`` 同样步数一并测出。
2. 在 10,000 张测试图上评估的时间：``lenet.train.evaluate``（批大小 1000）与原笔记本的
   ``paddle.Model.evaluate``（隐含的批大小 1）。
3. 原笔记本配置、只换 ReLU、完整配方（``lenet.recipe.BEST``）在若干随机种子上的准确率（中位数与范围）、
   纯训练时间、第一次达到 98% 测试准确率时的累计训练时间，旁边是 LeCun 等（1998）的 99.05%。
4. 机器与软件版本，以及各项目标是否达到。

训练都经过 ``lenet.cache.trained``，训练好的模型进入缓存（附录一章直接读取 BEST 的种子 0）。
默认先在一个全新的临时缓存目录里训练，测到的是这一次的真实时间，结束后再把这些缓存项复制到
``LENET_CACHE_DIR``（覆盖同名项，书里的曲线与 JSON 一致）；``--reuse-cache`` 则直接用已有的缓存，
读到的训练时间是当初训练时记录的（JSON 里 ``from_cache`` 为 true）。
``--quick`` 用很小的设置把每一段代码都走一遍（一分钟以内），只用临时缓存，供测试使用。
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import paddle
import paddle.nn.functional as F

from lenet import cache, recipe, train
from lenet import data as lenet_data
from lenet import results as lenet_results
from lenet.model import LECUN_1998, LeNet
from lenet.tables import markdown_table

TARGETS = {  # 名称: (比较, 阈值)
    "overhead_pct": ("<=", 5.0),
    "package_eval_seconds": ("<", 1.5),
    "best_median_acc": (">=", 0.992),
    "best_max_train_seconds": ("<=", 180.0),
}
# (键, 中文名, 配置)；原笔记本配置与 ReLU 版本都在 recipe 的内存张量循环里训练
CONFIGS = [
    ("seed_sigmoid", "原笔记本配置（Sigmoid）", recipe.ORIGINAL_FAST),
    ("relu", "只换 ReLU", replace(recipe.ORIGINAL_FAST, activation="relu")),
    ("best", "完整配方（BEST）", recipe.BEST),
]
ACC_98 = 0.98


def _quiet(_line: str) -> None:
    """进度输出的约定与 ``lenet.recipe.fit`` 相同：``log`` 是收一行文字的函数（默认 print），None 表示不输出。"""


# ---------------------------------------------------------------- 1. 训练吞吐量


def hand_loop(x, y, steps: int, batch_size: int = 64, seed: int = 0) -> float:
    """最简单的手写训练循环（与 ORIGINAL_FAST 相同的网络、优化器、批次）；返回纯训练秒数。"""
    train.set_seed(seed)
    rng = np.random.default_rng(seed)
    net = LeNet("sigmoid")
    opt = paddle.optimizer.Adam(learning_rate=1e-3, parameters=net.parameters())
    net.train()
    start = time.perf_counter()
    order = paddle.to_tensor(rng.permutation(steps * batch_size))
    for i in range(steps):
        idx = order[i * batch_size : (i + 1) * batch_size]
        loss = F.cross_entropy(net(x[idx]), y[idx])
        loss.backward()
        opt.step()
        opt.clear_grad()
    float(loss)  # 等计算真正完成
    return time.perf_counter() - start


def package_loop(steps: int, batch_size: int = 64, seed: int = 0) -> float:
    """``lenet.recipe.fit`` 跑 1 轮、恰好 ``steps`` 步（ORIGINAL_FAST 的设置）；返回它记录的纯训练秒数。"""
    config = replace(recipe.ORIGINAL_FAST, epochs=1, batch_size=batch_size, seed=seed, train_samples=steps * batch_size)
    _, history = recipe.fit(config, log=None)
    return history[-1]["seconds"]


def model_fit_loop(steps: int, batch_size: int = 64, seed: int = 0) -> float:
    """原笔记本的 ``paddle.Model.fit``（DataLoader 逐张取图、每批算准确率）训练 ``steps`` 步；返回秒数。"""
    train.set_seed(seed)
    model = train.prepare(LeNet("sigmoid"))
    dataset = lenet_data.mnist_dataset("train")
    start = time.perf_counter()
    model.fit(dataset, epochs=1, batch_size=batch_size, verbose=0, num_iters=steps)
    return time.perf_counter() - start


def throughput(steps: int, repeats: int, batch_size: int = 64) -> dict:
    """三种训练方式轮流各跑 ``repeats`` 次（每一轮换一个先后顺序），比较最好的一次。

    包的开销只比较 ``lenet.recipe.fit`` 与手写循环；``Model.fit`` 一并测出，供书中比较两种训练方式。
    """
    images, labels = lenet_data.load_numpy("train")
    n = steps * batch_size
    x, y = recipe.to_tensors(images[:n], labels[:n])
    loops = {
        "package": lambda k: package_loop(k, batch_size),
        "hand": lambda k: hand_loop(x, y, k, batch_size),
        "model_fit": lambda k: model_fit_loop(k, batch_size),
    }
    for loop in loops.values():  # 预热：首次调用各算子的开销不计入
        loop(min(steps, 20))
    seconds = {name: [] for name in loops}
    names = list(loops)
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            seconds[name].append(loops[name](steps))
    ips = {k: [n / s for s in v] for k, v in seconds.items()}
    best = {k: max(v) for k, v in ips.items()}
    med = {k: statistics.median(v) for k, v in ips.items()}
    out = {"batch_size": batch_size, "steps": steps, "images_per_run": n, "repeats": repeats}
    for k in loops:
        out.update({f"{k}_ips": ips[k], f"{k}_best_ips": best[k], f"{k}_median_ips": med[k]})
    out["overhead_pct"] = (best["hand"] / best["package"] - 1) * 100
    out["overhead_pct_median"] = (med["hand"] / med["package"] - 1) * 100
    return out


# ---------------------------------------------------------------- 2. 评估时间


def evaluation(network, repeats: int = 3, seed_way_images: int | None = None) -> dict:
    """``lenet.train.evaluate``（批大小 1000）与原笔记本的 ``Model.evaluate``（批大小 1）在测试集上的用时。"""
    pkg_seconds, acc = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        acc = train.evaluate(network)["acc"]
        pkg_seconds.append(time.perf_counter() - start)
    dataset = lenet_data.mnist_dataset("test")
    if seed_way_images:
        dataset = paddle.io.Subset(dataset, list(range(seed_way_images)))
    model = train.prepare(network)  # 原笔记本的 paddle.Model(...).prepare(Adam, 交叉熵, 准确率)
    start = time.perf_counter()
    result = model.evaluate(dataset, batch_size=1, verbose=0)
    seed_seconds = time.perf_counter() - start
    n_seed = len(dataset)
    pkg_median = statistics.median(pkg_seconds)
    return {
        "package": {
            "batch_size": 1000,
            "images": lenet_data.COUNTS["test"],
            "seconds": pkg_seconds,
            "median_seconds": pkg_median,
            "acc": acc,
        },
        "seed_way": {
            "batch_size": 1,
            "images": n_seed,
            "seconds": seed_seconds,
            "acc": float(np.ravel(result["acc"])[0]),
        },
        # 按每张图的用时比较（--quick 时原笔记本的方式只评估一部分图）
        "speedup": (seed_seconds / n_seed) / (pkg_median / lenet_data.COUNTS["test"]),
    }


# ---------------------------------------------------------------- 3. 准确率与训练时间


def summarize_run(seed: int, history: list, from_cache: bool) -> dict:
    """一次训练的逐轮记录 → 最终准确率、第 5 轮准确率、达到 98% 的轮次与累计训练秒数。"""
    reach = next((h for h in history if h["test_acc"] >= ACC_98), None)
    return {
        "seed": seed,
        "final_acc": history[-1]["test_acc"],
        "acc_epoch5": history[4]["test_acc"] if len(history) >= 5 else None,
        "epoch_98": reach["epoch"] if reach else None,
        "seconds_to_98": reach["seconds"] if reach else None,
        "train_seconds": history[-1]["seconds"],
        "from_cache": from_cache,
        "test_acc": [h["test_acc"] for h in history],
        "seconds": [h["seconds"] for h in history],
    }


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def accuracy_runs(
    seeds, cache_dir: Path, quick: bool = False, log: Callable[[str], object] | None = print
) -> tuple[dict, dict]:
    """每个配置、每个随机种子训练一次（经 ``lenet.cache.trained``，存进 ``cache_dir``）并汇总。

    返回 (每个配置的汇总, {(配置, 种子): 网络})。
    """
    log = log or _quiet
    out, networks = {}, {}
    for key, label, config in CONFIGS:
        if quick:
            config = replace(config, epochs=1, train_samples=2048)
        runs = []
        for seed in seeds:
            cfg = replace(config, seed=seed)
            log(f"  训练 {label}，种子 {seed}（{cfg.epochs} 轮）……")
            net, history, from_cache = cache.trained(cfg, verbose=0, cache_dir=cache_dir)
            networks[(key, seed)] = net
            run = summarize_run(seed, history, from_cache)
            runs.append(run)
            log(
                f"    测试准确率 {run['final_acc']:.4f}，纯训练 {run['train_seconds']:.1f} 秒"
                f"{'（读自缓存）' if from_cache else ''}"
            )
        accs = [r["final_acc"] for r in runs]
        out[key] = {
            "label": label,
            "config": asdict(config),
            "epochs": config.epochs,
            "runs": runs,
            "acc_median": statistics.median(accs),
            "acc_min": min(accs),
            "acc_max": max(accs),
            "acc_epoch5_median": _median([r["acc_epoch5"] for r in runs]),
            "train_seconds_median": statistics.median(r["train_seconds"] for r in runs),
            "train_seconds_max": max(r["train_seconds"] for r in runs),
            "seconds_to_98_median": _median([r["seconds_to_98"] for r in runs]),
            "reached_98": sum(r["seconds_to_98"] is not None for r in runs),
            "from_cache": any(r["from_cache"] for r in runs),
        }
    return out, networks


# ---------------------------------------------------------------- 机器、目标、缓存


def machine_info() -> dict:
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    uname = platform.uname()
    return {
        "device": paddle.device.get_device(),
        "paddle": paddle.__version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model or platform.processor() or None,
        # Paddle 没有读取 CPU 线程数的接口；这些环境变量决定它（未设置时为 null）
        "threads_env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "system": f"{uname.system} {uname.release} {uname.machine}",
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def check_targets(results: dict) -> dict:
    values = {
        "overhead_pct": results["throughput"]["overhead_pct"],
        "package_eval_seconds": results["evaluation"]["package"]["median_seconds"],
        "best_median_acc": results["configs"]["best"]["acc_median"],
        "best_max_train_seconds": results["configs"]["best"]["train_seconds_max"],
    }
    ops = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b}
    return {
        name: {"value": values[name], "target": f"{op} {limit}", "pass": bool(ops[op](values[name], limit))}
        for name, (op, limit) in TARGETS.items()
    }


def publish_cache(src: Path, dst: Path) -> list[str]:
    """把临时缓存里训练好的项复制到正式缓存（覆盖同名项；先复制到临时名再改名）。"""
    dst.mkdir(parents=True, exist_ok=True)
    names = []
    for entry in sorted(p for p in src.iterdir() if p.is_dir() and not p.name.startswith(".")):
        target = dst / entry.name
        with cache.entry_lock(target):
            cache.write_dir_atomically(target, lambda tmp, entry=entry: shutil.copytree(entry, tmp, dirs_exist_ok=True))
        names.append(entry.name)
    return names


# ---------------------------------------------------------------- 表格


def _pct(v):
    return "—" if v is None else f"{v * 100:.2f}%"


def _sec(v):
    return "—" if v is None else f"{v:.1f} s"


def format_report(results: dict) -> str:
    """把结果排成 Markdown 表格（终端里也好读，可直接贴进文档）。"""
    m, t, e = results["machine"], results["throughput"], results["evaluation"]
    throughput_rows = [
        (loop, f"{t[key + '_best_ips']:.0f}", f"{t[key + '_median_ips']:.0f}")
        for loop, key in (
            ("`lenet.recipe.fit`", "package"),
            ("手写循环 hand-written", "hand"),
            ("`paddle.Model.fit`（DataLoader）", "model_fit"),
        )
    ]
    evaluation_rows = [
        (way, r["batch_size"], r["images"], f"{seconds:.2f}", f"{r['acc']:.4f}")
        for way, r, seconds in (
            ("`lenet.train.evaluate`", e["package"], e["package"]["median_seconds"]),
            ("`Model.evaluate`（原笔记本 original）", e["seed_way"], e["seed_way"]["seconds"]),
        )
    ]
    accuracy_rows = [
        (
            c["label"],
            c["epochs"],
            _pct(c["acc_median"]),
            f"{c['acc_min'] * 100:.2f}–{c['acc_max'] * 100:.2f}%",
            _pct(c["acc_epoch5_median"]),
            _sec(c["train_seconds_median"]),
            _sec(c["seconds_to_98_median"]),
        )
        for c in results["configs"].values()
    ]
    accuracy_rows.append(
        ("LeCun et al. 1998", "—", _pct(LECUN_1998["test_acc"]), "（错误率 error 0.95%）", "—", "—", "—")
    )
    target_rows = [
        (name, f"{r['value']:.4g}", r["target"], "通过 PASS" if r["pass"] else "未达到 FAIL")
        for name, r in results["targets"].items()
    ]
    seeds = ", ".join(map(str, results["seeds"]))
    lines = [
        f"# LeNet-5 基准 benchmark（{results['mode']}，{m['date']}）",
        "",
        f"机器 machine：{m['cpu_model']}，{m['cpu_count']} 核 cores，{m['device']}，"
        f"Paddle {m['paddle']}，Python {m['python']}，{m['system']}",
        "",
        f"## 1. 训练吞吐量 training throughput（批大小 {t['batch_size']}，每次 {t['steps']} 步，"
        f"交替各 {t['repeats']} 次）",
        "",
        markdown_table(["训练循环 loop", "最好 best (张/秒)", "中位数 median (张/秒)"], throughput_rows, "lrr"),
        "",
        f"包的开销 overhead（手写 / 包 − 1）= {t['overhead_pct']:+.1f}%（最好 best），"
        f"{t['overhead_pct_median']:+.1f}%（中位数 median）",
        "",
        "## 2. 测试集评估 evaluation",
        "",
        markdown_table(
            ["方式 way", "批大小 batch", "图数 images", "用时 seconds", "准确率 acc"], evaluation_rows, "lrrrr"
        ),
        "",
        f"按每张图计，快 {e['speedup']:.0f} 倍 (speed-up per image)",
        "",
        f"## 3. 准确率 accuracy（测试集 test set，随机种子 seeds {seeds}）",
        "",
        markdown_table(
            [
                "配置 config",
                "轮 epochs",
                "中位数 median",
                "范围 range",
                "第 5 轮 epoch 5",
                "纯训练时间 train s",
                "到 98% 的时间 s to 98%",
            ],
            accuracy_rows,
            "lrrrrrr",
        ),
    ]
    if any(c["from_cache"] for c in results["configs"].values()):
        lines.append("\n注意：部分结果读自缓存，训练时间是当初训练时记录的 (some runs from cache).")
    lines += [
        "",
        "## 目标 targets",
        "",
        markdown_table(["项目", "值 value", "目标 target", "结果"], target_rows, "lrrl"),
        f"\n总用时 total {results['total_seconds']:.0f} s",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- 入口


def run(
    quick: bool = False, seeds: int = 3, reuse_cache: bool = False, log: Callable[[str], object] | None = print
) -> dict:
    """跑全部测量，返回结果字典；``log(一行文字)`` 报告进度，``None`` 表示不输出。"""
    log = log or _quiet
    start = time.perf_counter()
    seed_list = list(range(1 if quick else seeds))
    user_cache = cache.default_cache_dir()
    fresh = quick or not reuse_cache
    tmp = tempfile.mkdtemp(prefix="lenet-bench-") if fresh else None
    results = {
        "schema": 1,
        "mode": "quick" if quick else "full",
        "seeds": seed_list,
        "machine": machine_info(),
        "lecun_1998": LECUN_1998,
    }
    try:
        log("1. 训练吞吐量……")
        results["throughput"] = throughput(steps=20 if quick else 300, repeats=2 if quick else 5)
        log("2/3. 多个随机种子的训练……")
        results["configs"], networks = accuracy_runs(seed_list, Path(tmp or user_cache), quick=quick, log=log)
        log("4. 测试集评估……")
        results["evaluation"] = evaluation(networks[("seed_sigmoid", 0)], seed_way_images=1000 if quick else None)
        published = publish_cache(Path(tmp), user_cache) if tmp and not quick else []
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    results["cache"] = {
        "fresh": fresh,
        "note": (
            "trained in a fresh temporary cache: seconds measured in this run"
            if fresh
            else "existing cache reused: seconds of cached runs are those recorded when trained"
        ),
        "published": published,
    }
    results["targets"] = check_targets(results)
    results["total_seconds"] = time.perf_counter() - start
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="很小的设置，一分钟以内走完全部代码（测试用）")
    parser.add_argument("--seeds", type=int, default=3, help="每个配置训练几个随机种子（0, 1, …）")
    parser.add_argument("--out", type=Path, help="把结果写成 JSON")
    parser.add_argument(
        "--reuse-cache", action="store_true", help="直接用 LENET_CACHE_DIR 里已训练的模型（训练时间是当初记录的）"
    )
    args = parser.parse_args(argv)
    results = run(
        quick=args.quick, seeds=args.seeds, reuse_cache=args.reuse_cache, log=functools.partial(print, flush=True)
    )
    lenet_results.report(results, format_report(results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
