"""benchmarks/search.py：--quick 模式能跑完；结果只有验证准确率（测试集不参与选择），字段齐全。"""

import importlib.util
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

from lenet import recipe

# 搜索脚本不在 lenet 包里，按文件路径导入（它从同目录导入 bench）
_dir = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(_dir))
_spec = importlib.util.spec_from_file_location("search", _dir / "search.py")
search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(search)


def test_quick_search_reports_validation_accuracy_only(mnist_dir, cache_dir, tmp_path, capsys):
    out = tmp_path / "search.json"
    assert search.main(["--quick", "--out", str(out)]) == 0
    assert "验证准确率" in capsys.readouterr().out
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["mode"] == "quick" and r["n_train"] == 2048 - 512
    assert [s["key"] for s in r["settings"]] == [key for key, _, _ in search.SETTINGS]
    for s in r["settings"]:
        assert 0 <= s["val_acc"] <= 1 and len(s["val_acc_epochs"]) == 1 and s["train_loss"] > 0
        assert s["config"]["holdout"] == 512
    assert "test_acc" not in out.read_text(encoding="utf-8")
    assert r["chosen"] == max(r["settings"], key=lambda s: s["val_acc"])["key"]
    # 临时缓存用完即删，不写进 LENET_CACHE_DIR
    assert not cache_dir.exists() or not any(cache_dir.iterdir())


def test_settings_change_one_thing_relative_to_best():
    assert search.SETTINGS[0] == ("best", "完整配方（BEST）", {})
    best = asdict(recipe.BEST)
    for key, _, change in search.SETTINGS[1:]:
        changed = {k for k, v in asdict(replace(recipe.BEST, **change)).items() if v != best[k]}
        assert changed and changed <= {"augment", "label_smoothing", "weight_decay", "learning_rate", "schedule"}, key
