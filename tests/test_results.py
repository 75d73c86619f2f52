"""lenet.results：随仓库提供的实测结果，从任何工作目录都能读到；缺失或损坏时给出中英文说明。"""

import pytest

from lenet import results


def test_loads_the_committed_benchmark_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = results.load()
    assert r["mode"] == "full" and {"seed_sigmoid", "relu", "best"} <= set(r["configs"])


def test_missing_or_corrupt_file_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match="make bench") as err:
        results.load("results.json", directory=tmp_path)
    assert str(tmp_path) in str(err.value)
    (tmp_path / "results.json").write_text("{truncated", encoding="utf-8")
    with pytest.raises(ValueError, match="git checkout"):
        results.load("results.json", directory=tmp_path)


def test_save_then_load_round_trips_chinese_text(tmp_path):
    data = {"label": "原笔记本配置（Sigmoid）", "acc": 0.9816}
    path = results.save(data, tmp_path / "sub" / "r.json")
    assert path.read_text(encoding="utf-8").endswith("}\n") and "原笔记本" in path.read_text(encoding="utf-8")
    assert results.load("r.json", directory=tmp_path / "sub") == data
