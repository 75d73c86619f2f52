"""超参数搜索：在训练集留出的验证集上，逐项检查完整配方（``lenet.recipe.BEST``）的每一样改动。

    python benchmarks/search.py [--out benchmarks/search.json] [--holdout 5000] [--seed 0] [--quick]

做什么：训练集的最后 ``holdout`` 张图不参与训练，作验证集；每个设置在其余的图上按
``replace(BEST, holdout=..., **改动)`` 训练一次（经 ``lenet.cache.trained``，模型进入缓存），
只比较最后一轮的验证准确率（``val_acc``）。测试集不参与：结果文件里没有测试准确率。

这是一个小的“一次改一项”的搜索（每个设置一个随机种子），不是穷举：它检查数据增强、标签平滑和
单周期学习率这三项改动在验证集上是否有用。结果写成 JSON 提交进仓库，附录一章读取它。
``--quick`` 用很小的设置走一遍全部代码（一分钟以内），只用临时缓存，供测试使用。
"""

from __future__ import annotations

import argparse
import functools
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

from lenet import cache, recipe
from lenet import results as lenet_results

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import machine_info  # noqa: E402  同目录的基准测试脚本

# (键, 中文名, 相对完整配方的改动)
SETTINGS = [
    ("best", "完整配方（BEST）", {}),
    ("no_augment", "不做数据增强", {"augment": False}),
    ("no_smoothing", "不用标签平滑（ε = 0）", {"label_smoothing": 0.0}),
    ("constant_1e-3", "固定学习率 1e-3（不用单周期学习率）", {"schedule": "constant", "learning_rate": 1e-3}),
]
# 权重衰减与单周期学习率的峰值没有在这里检查（共享的 2 核机器上时间不够）；要检查就在上面加一行，例如
# ("no_weight_decay", "不用权重衰减（Adam）", {"weight_decay": 0.0})
# 或 ("peak_3e-3", "峰值 3e-3", {"learning_rate": 3e-3})


def run(holdout: int = 5000, seed: int = 0, quick: bool = False, log=print) -> dict:
    """训练每个设置一次，返回结果字典（每个设置的逐轮与最后一轮验证准确率、所选设置）。"""
    start = time.perf_counter()
    base = replace(recipe.BEST, holdout=holdout, seed=seed)
    if quick:
        base = replace(base, epochs=1, train_samples=2048, holdout=512)
    tmp = tempfile.mkdtemp(prefix="lenet-search-") if quick else None
    rows = []
    try:
        for key, label, change in SETTINGS:
            config = replace(base, **change)
            log(f"  {label}：{change or '不改'}（{config.epochs} 轮）……")
            _, history, from_cache = cache.trained(config, verbose=0, cache_dir=tmp)
            val = [h["val_acc"] for h in history]
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "change": change,
                    "config": asdict(config),
                    "val_acc": val[-1],
                    "val_acc_epochs": val,
                    "train_loss": history[-1]["train_loss"],
                    "train_seconds": history[-1]["seconds"],
                    "from_cache": from_cache,
                }
            )
            log(f"    验证准确率 {val[-1]:.4f}{'（读自缓存）' if from_cache else ''}")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    best_row = max(rows, key=lambda r: r["val_acc"])
    return {
        "schema": 1,
        "mode": "quick" if quick else "full",
        "holdout": base.holdout,
        "seed": seed,
        "n_train": (base.train_samples or 60000) - base.holdout,
        "selection": "max final-epoch val_acc",
        "machine": machine_info(),
        "settings": rows,
        "chosen": best_row["key"],
        "total_seconds": time.perf_counter() - start,
    }


def format_report(results: dict) -> str:
    lines = [
        f"# 超参数搜索 hyper-parameter search（{results['mode']}；验证集 {results['holdout']} 张，"
        f"训练 {results['n_train']} 张，随机种子 {results['seed']}）",
        "",
        "| 设置 setting | 最后一轮验证准确率 val acc | 验证集上错的图 errors |",
        "|---|---:|---:|",
    ]
    for r in results["settings"]:
        lines.append(f"| {r['label']} | {r['val_acc']:.2%} | {round((1 - r['val_acc']) * results['holdout'])} |")
    lines.append(f"\n验证准确率最高的设置：{results['chosen']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/search.py", description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", type=int, default=5000, help="训练集最后多少张留作验证集")
    parser.add_argument("--seed", type=int, default=0, help="随机种子")
    parser.add_argument("--quick", action="store_true", help="很小的设置，一分钟以内走完全部代码（测试用）")
    parser.add_argument("--out", type=Path, help="把结果写成 JSON")
    args = parser.parse_args(argv)
    results = run(holdout=args.holdout, seed=args.seed, quick=args.quick, log=functools.partial(print, flush=True))
    lenet_results.report(results, format_report(results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
