"""benchmarks/bench.py：--quick 模式能跑完，报告的字段齐全、类型和取值合理（不检查快慢）。"""

import importlib.util
import json
import math
from pathlib import Path

import pytest

from lenet.model import LECUN_1998

# 基准不在 lenet 包里（各章不需要它），按文件路径导入
_spec = importlib.util.spec_from_file_location("bench", Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _positive(v):
    return isinstance(v, (int, float)) and math.isfinite(v) and v > 0


def _acc(v):
    return isinstance(v, float) and 0.0 <= v <= 1.0


@pytest.mark.long(55)
def test_quick_benchmark_runs_and_reports_sane_fields(mnist_dir, cache_dir, tmp_path, capsys):
    out = tmp_path / "results.json"
    assert bench.main(["--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "训练吞吐量" in printed and "LeCun" in printed and "| " in printed
    r = json.loads(out.read_text(encoding="utf-8"))

    assert r["mode"] == "quick" and r["seeds"] == [0] and r["baseline_seeds"] == [0]
    assert {"throughput", "evaluation", "configs", "machine", "targets", "cache", "lecun_1998", "speed"} <= set(r)

    t = r["throughput"]
    assert t["batch_size"] == 64 and t["steps"] > 0 and t["repeats"] >= 1
    for loop in ("package", "hand", "model_fit"):
        assert len(t[f"{loop}_ips"]) == t["repeats"]
        assert all(_positive(v) for v in t[f"{loop}_ips"])
        assert _positive(t[f"{loop}_best_ips"]) and _positive(t[f"{loop}_median_ips"])
    assert isinstance(t["overhead_pct"], float) and math.isfinite(t["overhead_pct"])

    e = r["evaluation"]
    assert e["package"]["batch_size"] == 1000 and e["package"]["images"] == 10000
    assert e["seed_way"]["batch_size"] == 1 and e["seed_way"]["images"] > 0
    assert _positive(e["package"]["median_seconds"]) and _positive(e["seed_way"]["seconds"])
    assert _acc(e["package"]["acc"]) and _acc(e["seed_way"]["acc"]) and _positive(e["speedup"])

    assert list(r["configs"]) == ["seed_sigmoid", "relu", "fast", "best", "duo"]
    assert r["configs"]["duo"]["config"]["nprocs"] == 2  # 真的由两个进程训练（lenet.distributed）
    assert r["targets"]["best_median_acc"]["value"] == r["configs"][bench.HEADLINE]["acc_median"]
    assert r["configs"]["seed_sigmoid"]["train_ratio_median"] == 1.0  # T_ref 自己
    for key, c in r["configs"].items():
        assert _positive(c["train_ratio_median"])
        assert c["to_992_ratio_median"] is None or _positive(c["to_992_ratio_median"])
        assert c["config"]["activation"] == ("sigmoid" if key == "seed_sigmoid" else "relu")
        assert len(c["runs"]) == 1 and c["epochs"] == 1
        for field in ("acc_median", "acc_min", "acc_max"):
            assert _acc(c[field]), (key, field)
        assert c["acc_min"] <= c["acc_median"] <= c["acc_max"]
        assert _positive(c["train_seconds_median"]) and c["from_cache"] is False
        run = c["runs"][0]
        assert run["seed"] == 0 and len(run["test_acc"]) == len(run["seconds"]) == 1
        assert run["acc_epoch5"] is None  # 只训练了 1 轮
        assert run["seconds_to_98"] is None or _positive(run["seconds_to_98"])

    sp = r["speed"]
    assert sp["flops_per_image"] == 1521734  # 与 tests/test_model.py 逐层手算的一致
    assert _positive(sp["peak"]["gflops"]) and _positive(sp["achieved_gflops"])
    assert 0 < sp["achieved_fraction_of_peak"] < 1.5
    bd = sp["breakdown"]
    assert set(bd["seconds_per_epoch"]) == {"batch", "augment", "forward", "backward", "step", "evaluate"}
    assert all(_positive(v) for v in bd["seconds_per_epoch"].values())
    assert abs(sum(bd["share"].values()) - 1) < 1e-9
    assert [(t["threads"], t["processes"]) for t in sp["threads"]] == [(1, 1), (None, 1), (2, 1), (1, 2)]
    for t in sp["threads"]:
        assert len(t["ips"]) == t["processes"] and all(_positive(v) for v in t["ips"])
        assert t["total_ips"] in t["all_total_ips"] and abs(sum(t["ips"]) - t["total_ips"]) < 1e-6
    assert sp["machine"]["cpu_count"] >= 1 and sp["machine"]["date"]
    assert sp["threads"][0]["speedup"] == 1.0

    m = r["machine"]
    assert m["device"] and m["paddle"] and m["python"] and m["date"]
    assert isinstance(m["cpu_count"], int) and m["cpu_count"] >= 1
    assert r["lecun_1998"] == LECUN_1998 and LECUN_1998["test_acc"] == 0.9905
    assert set(r["targets"]) == set(bench.TARGETS)
    assert all(isinstance(v["pass"], bool) for v in r["targets"].values())

    # --quick 只用临时缓存：正式缓存目录里什么也没有留下
    assert r["cache"]["fresh"] is True and r["cache"]["published"] == []
    assert not cache_dir.exists() or not [p for p in cache_dir.iterdir() if not p.name.startswith(".")]


def test_report_tables_are_well_formed():
    """committed results.json 排成的报告：每张表每行的列数与表头相同，数字都在。"""
    results = json.loads((Path(bench.__file__).parent / "results.json").read_text(encoding="utf-8"))
    report = bench.format_report(results)
    tables, current = [], None
    for line in report.splitlines():
        if line.startswith("|"):
            current = current if current is not None else []
            current.append(line)
        elif current is not None:
            tables.append(current)
            current = None
    if current:
        tables.append(current)
    assert len(tables) == 6  # 吞吐量、评估、准确率、一轮的分段用时、线程设置、目标
    for table in tables:
        widths = {line.count(" | ") for line in table}
        assert len(widths) == 1, table
        assert set(table[1]) <= set("|-: ")
    assert f"{results['configs']['best']['acc_median'] * 100:.2f}%" in report
    assert "LeCun et al. 1998" in report
