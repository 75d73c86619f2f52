"""超参数搜索：在训练集留出的验证集上，为两个时间预算各选一个配方，再对选中的配方做消融。

    python benchmarks/search.py [--out benchmarks/search.json] [--holdout 5000] [--seed 0] [--jobs 2] [--quick]
                                [--only GROUP ...]

做什么：训练集的最后 ``holdout`` 张图不参与训练，作验证集；每个设置在其余的图上训练一次
（经 ``lenet.cache.trained``，模型进入缓存），只比较最后一轮的验证准确率（``val_acc``）。
测试集不参与：结果文件里没有测试准确率。

1. 候选（相对上一版配方 ``lenet.recipe.PREVIOUS`` 的改动）分两组：
   ``fast`` 组 5 轮（目标：训练时间不超过原笔记本配置的约 1.15 倍时达到 99.2%），
   ``best`` 组 10 轮（目标：不超过约 2.3 倍时中位数达到 99.45%），
   ``duo`` 组 16 轮（同一目标；由两个进程数据并行训练，一轮比单进程快约 1.2 倍，2.3 倍的预算够 16 轮）。
   每组里最后一轮验证准确率最高的候选被选中，写进 ``lenet.recipe`` 的 ``FAST`` / ``BEST`` / ``DUO``（测试检查一致）。
   ``duo`` 组在这里也用一个进程训练：全局批次与配方相同，只有随机数不同，验证准确率代表两个进程的结果。
2. 消融（相对选中的 ``BEST``，每次去掉一项）：数据增强、标签平滑、单周期学习率。

每个设置一个随机种子：5,000 张验证图上相差一两张图分不出好坏，见附录的“判断”一列。
``--jobs 2`` 让两个进程同时训练不同的设置（各用一个线程）；验证准确率与进程数无关。
``--quick`` 用很小的设置走一遍全部代码（一分钟以内），只用临时缓存，供测试使用。
``--only duo`` 只训练这一组（例如新加的一组候选），其余各行原样取自已有的 ``--out`` 文件，``updates`` 记下这一次。
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

from lenet import cache, recipe
from lenet import results as lenet_results

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import machine_info  # noqa: E402  同目录的基准测试脚本

GROUPS = {
    "fast": "5 轮：最快到 99.2%",
    "best": "10 轮：最高准确率",
    "duo": "16 轮（两个进程训练）：最高准确率",
    "ablation": "消融：从 BEST 去掉一项",
}
CHOSEN = {"fast": "FAST", "best": "BEST", "duo": "DUO"}  # 每组选中的设置写进 lenet.recipe 的哪个常量
B128_5, B128_10 = {"epochs": 5, "batch_size": 128}, {"epochs": 10, "batch_size": 128}
CONSTANT = {"schedule": "constant", "learning_rate": 1e-3}
# (键, 中文名, 组, 改动)：fast / best 组相对 recipe.PREVIOUS，ablation 组相对 recipe.BEST
SETTINGS = [
    ("fast-b256", "5 轮，批大小 256", "fast", {"epochs": 5}),
    ("fast-b128", "5 轮，批大小 128", "fast", {"epochs": 5, "batch_size": 128}),
    ("fast-b128-noaug", "5 轮，批大小 128，不做数据增强", "fast", {**B128_5, "augment": False}),
    ("fast-b128-lr5e-3", "5 轮，批大小 128，峰值 5e-3", "fast", {**B128_5, "learning_rate": 5e-3}),
    ("best-b256", "10 轮，批大小 256", "best", {"epochs": 10}),
    ("best-b128", "10 轮，批大小 128", "best", {"epochs": 10, "batch_size": 128}),
    ("best-b128-lr5e-3", "10 轮，批大小 128，峰值 5e-3", "best", {**B128_10, "learning_rate": 5e-3}),
    ("best-b128-lr2e-2", "10 轮，批大小 128，峰值 2e-2", "best", {**B128_10, "learning_rate": 2e-2}),
    ("best-b256-elastic", "10 轮，批大小 256，加弹性形变 ±2 像素", "best", {"epochs": 10, "elastic": 2.0}),
    ("best-b256-wd5e-4", "10 轮，批大小 256，权重衰减 5e-4", "best", {"epochs": 10, "weight_decay": 5e-4}),
    # 两个进程训练（一个进程在验证集上的结果代表它：全局批次与配方相同，只是随机数不同）
    ("duo-b256", "16 轮，批大小 256", "duo", {"epochs": 16}),
    ("duo-b256-wd5e-4", "16 轮，批大小 256，权重衰减 5e-4", "duo", {"epochs": 16, "weight_decay": 5e-4}),
    ("best", "完整配方（BEST）", "ablation", {}),
    ("no_augment", "不做数据增强", "ablation", {"augment": False}),
    ("no_smoothing", "不用标签平滑（ε = 0）", "ablation", {"label_smoothing": 0.0}),
    ("constant_1e-3", "固定学习率 1e-3（不用单周期学习率）", "ablation", CONSTANT),
]


def setting_config(group: str, change: dict, holdout: int, seed: int, quick: bool = False):
    """一个设置的完整配置：fast / best 组从上一版配方出发，消融组从 BEST 出发。"""
    base = recipe.BEST if group == "ablation" else recipe.PREVIOUS
    config = replace(base, holdout=holdout, seed=seed, **change)
    if quick:
        config = replace(config, epochs=1, train_samples=2048, holdout=512)
    return config


def _train(config, cache_dir):
    """子进程里训练（或从缓存读取）一个设置；只返回可以跨进程传递的结果。"""
    _, history, from_cache = cache.trained(config, verbose=0, cache_dir=cache_dir)
    return history, from_cache


def run(
    holdout: int = 5000, seed: int = 0, jobs: int = 1, quick: bool = False, log=print, groups=None, previous=None
) -> dict:
    """训练每个设置一次，返回结果字典（每个设置的逐轮与最后一轮验证准确率、每组选中的设置）。

    ``groups`` 给出时只训练这些组的设置，其余各行取自 ``previous``（已有的结果字典），记入 ``updates``。
    """
    start = time.perf_counter()
    tmp = tempfile.mkdtemp(prefix="lenet-search-") if quick else None
    settings = [s for s in SETTINGS if groups is None or s[2] in groups]
    configs = [setting_config(group, change, holdout, seed, quick) for _, _, group, change in settings]
    rows = []
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_train, config, tmp) for config in configs]
            for (key, label, group, change), config, future in zip(settings, configs, futures):
                history, from_cache = future.result()
                val = [h["val_acc"] for h in history]
                rows.append(
                    {
                        "key": key,
                        "label": label,
                        "group": group,
                        "change": change,
                        "config": asdict(config),
                        "val_acc": val[-1],
                        "val_acc_epochs": val,
                        "train_loss": history[-1]["train_loss"],
                        "train_seconds": history[-1]["seconds"],
                        "from_cache": from_cache,
                    }
                )
                log(f"  {label}（{config.epochs} 轮）：验证准确率 {val[-1]:.4f}{'（读自缓存）' if from_cache else ''}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    updates = []
    if groups is not None:
        if previous is None or (previous["holdout"], previous["seed"]) != (holdout, seed):
            raise ValueError("--only 需要同样 holdout 与 seed 的已有结果 / --only needs a previous result, same split")
        new = {r["key"]: r for r in rows}
        old = {r["key"]: r for r in previous["settings"]}
        rows = [new.get(key) or old[key] for key, *_ in SETTINGS]  # 按 SETTINGS 的顺序；缺哪一行就报 KeyError
        updates = [*previous.get("updates", []), {"groups": sorted(groups), "machine": machine_info()}]
    chosen = {
        group: max((r for r in rows if r["group"] == group), key=lambda r: r["val_acc"])["key"] for group in CHOSEN
    }
    return {
        "schema": 2,
        "mode": "quick" if quick else "full",
        "holdout": configs[0].holdout,
        "seed": seed,
        "jobs": jobs,
        "n_train": (configs[0].train_samples or 60000) - configs[0].holdout,
        "selection": "max final-epoch val_acc within each group",
        "groups": GROUPS,
        "machine": previous["machine"] if groups is not None else machine_info(),
        "updates": updates,  # 之后只重跑了其中几组时，每次一条：哪些组、当时的机器
        "settings": rows,
        "chosen": chosen,
        "total_seconds": time.perf_counter() - start,
    }


def format_report(results: dict) -> str:
    lines = [
        f"# 超参数搜索 hyper-parameter search（{results['mode']}；验证集 {results['holdout']} 张，"
        f"训练 {results['n_train']} 张，随机种子 {results['seed']}）",
        "",
        "| 组 group | 设置 setting | 轮 epochs | 最后一轮验证准确率 val acc | 验证集上错的图 errors |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results["settings"]:
        mark = " ✓" if r["key"] in results["chosen"].values() else ""
        lines.append(
            f"| {r['group']} | {r['label']}{mark} | {r['config']['epochs']} | {r['val_acc']:.2%} | "
            f"{round((1 - r['val_acc']) * results['holdout'])} |"
        )
    lines.append(f"\n每组验证准确率最高的设置 chosen：{results['chosen']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/search.py", description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", type=int, default=5000, help="训练集最后多少张留作验证集")
    parser.add_argument("--seed", type=int, default=0, help="随机种子")
    parser.add_argument("--jobs", type=int, default=1, help="同时训练几个设置（每个进程一个线程）")
    parser.add_argument("--quick", action="store_true", help="很小的设置，一分钟以内走完全部代码（测试用）")
    parser.add_argument("--out", type=Path, help="把结果写成 JSON")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(GROUPS), help="只重跑这几组，其余各行取自 --out 指定的已有结果文件"
    )
    args = parser.parse_args(argv)
    if args.only and not (args.out and args.out.is_file()):
        parser.error("--only 要与已有的 --out 结果文件一起用 / --only needs an existing --out file")
    results = run(
        holdout=args.holdout,
        seed=args.seed,
        jobs=args.jobs,
        quick=args.quick,
        log=functools.partial(print, flush=True),
        groups=set(args.only) if args.only else None,
        previous=lenet_results.load(args.out.name, args.out.parent) if args.only else None,
    )
    lenet_results.report(results, format_report(results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
