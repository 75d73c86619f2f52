"""benchmarks/search.py：--quick 模式能跑完；结果只有验证准确率（测试集不参与选择），字段齐全；
提交的 search.json 选中的设置就是 lenet.recipe.FAST / BEST / DUO。"""

import importlib.util
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from lenet import recipe

# 搜索脚本不在 lenet 包里，按文件路径导入（它从同目录导入 bench）
_dir = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(_dir))
_spec = importlib.util.spec_from_file_location("search", _dir / "search.py")
search = importlib.util.module_from_spec(_spec)
sys.modules["search"] = search  # --jobs 的子进程按名字找到 search._train
_spec.loader.exec_module(search)


@pytest.mark.long(14)
def test_quick_search_reports_validation_accuracy_only(mnist_dir, cache_dir, tmp_path, capsys):
    out = tmp_path / "search.json"
    assert search.main(["--quick", "--jobs", "2", "--out", str(out)]) == 0
    assert "验证准确率" in capsys.readouterr().out
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["mode"] == "quick" and r["n_train"] == 2048 - 512
    assert [s["key"] for s in r["settings"]] == [key for key, *_ in search.SETTINGS]
    for s in r["settings"]:
        assert 0 <= s["val_acc"] <= 1 and len(s["val_acc_epochs"]) == 1 and s["train_loss"] > 0
        assert s["config"]["holdout"] == 512
    assert "test_acc" not in out.read_text(encoding="utf-8")
    for group in search.CHOSEN:
        rows = [s for s in r["settings"] if s["group"] == group]
        assert r["chosen"][group] == max(rows, key=lambda s: s["val_acc"])["key"]
    # 临时缓存用完即删，不写进 LENET_CACHE_DIR
    assert not cache_dir.exists() or not any(cache_dir.iterdir())


def test_candidates_change_training_only_and_ablations_remove_one_thing():
    allowed = {"epochs", "batch_size", "learning_rate", "augment", "elastic", "weight_decay", "label_smoothing"}
    for key, _, group, change in search.SETTINGS:
        base = recipe.BEST if group == "ablation" else recipe.PREVIOUS
        changed = {k for k, v in asdict(replace(base, **change)).items() if v != asdict(base)[k]}
        if group == "ablation":
            assert len(change) <= 2 and (key == "best") == (not changed), key
            assert changed <= {"augment", "label_smoothing", "learning_rate", "schedule"}, key
        else:
            assert changed and changed <= allowed and group in search.CHOSEN, key
            assert replace(base, **change).epochs == {"fast": 5, "best": 10, "duo": 16}[group], key


def test_committed_search_chose_the_package_recipes():
    """search.json 里每组验证准确率最高的设置，就是 recipe.FAST / BEST / DUO（去掉验证集，在全部 60,000 张上训练）。"""
    committed = json.loads((_dir / "search.json").read_text(encoding="utf-8"))
    assert committed["mode"] == "full" and committed["holdout"] == 5000 and "test_acc" not in json.dumps(committed)
    rows = {row["key"]: row for row in committed["settings"]}
    assert list(rows) == [key for key, *_ in search.SETTINGS]
    assert committed["chosen"].keys() == search.CHOSEN.keys()
    for group, name in search.CHOSEN.items():
        chosen = getattr(recipe, name)
        candidates = [row for row in committed["settings"] if row["group"] == group]
        top = max(candidates, key=lambda row: row["val_acc"])
        assert committed["chosen"][group] == top["key"]
        assert replace(recipe.PREVIOUS, **top["change"]) == chosen, group
        assert top["config"] == asdict(replace(chosen, holdout=5000))
    assert rows["best"]["config"] == asdict(replace(recipe.BEST, holdout=5000))
