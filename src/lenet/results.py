"""随仓库提供的实测结果（``benchmarks/*.json``）：章节从这里读取，与当前工作目录无关。"""

from __future__ import annotations

import json
from pathlib import Path

# src/lenet/results.py → 仓库根目录/benchmarks
BENCHMARKS_DIR = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str = "results.json", directory: Path | str | None = None) -> dict:
    """读取 ``benchmarks/<name>``（``make bench`` 写出 results.json，``make search`` 写出 search.json）。"""
    path = Path(directory or BENCHMARKS_DIR) / name
    if not path.is_file():
        raise FileNotFoundError(
            f"找不到实测结果 {path}：它随仓库提供；请从完整的仓库运行（lenet 以 pip install -e . 安装或从 src/ 导入），"
            f"或用 make bench / make search 重新生成。\n"
            f"benchmark results {path} not found: they ship with the repository; run from a full checkout "
            f"(lenet installed with pip install -e . or imported from src/), "
            f"or regenerate with make bench / make search."
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{path} 不是有效的 JSON（{err}）：用 git checkout 恢复，或重新生成。\n"
            f"{path} is not valid JSON ({err}): restore it with git checkout or regenerate it."
        ) from err


def save(results: dict, path: Path | str) -> Path:
    """把一次实测结果写成 JSON（``benchmarks/bench.py`` 与 ``benchmarks/search.py`` 共用），返回路径。"""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def report(results: dict, text: str, out: Path | str | None = None) -> None:
    """基准脚本的收尾（两个脚本共用）：打印报告；给了 ``out`` 时再存成 JSON 并说出路径。"""
    print()
    print(text)
    if out:
        print(f"\n结果已写入 {save(results, out)}")
