"""把 notebooks/ 下的章节规范化后存回：清空输出和执行计数，统一内核与元数据。

用法：python tools/clean_notebooks.py [文件 ...]（默认处理 notebooks/*.ipynb）
"""

import hashlib
import json
import sys
from pathlib import Path

KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def clean(path: Path) -> bool:
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    nb["metadata"] = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    ids = {c.get("id") for c in nb["cells"]}
    for i, cell in enumerate(nb["cells"]):
        if not cell.get("id"):  # nbformat 4.5 要求每个单元格有 id
            cell["id"] = hashlib.sha1(f"{path.name}:{i}:{cell['source']}".encode()).hexdigest()[:8]
            assert cell["id"] not in ids
            ids.add(cell["id"])
        cell.get("metadata", {}).pop("jupyter", None)
        cell.get("metadata", {}).pop("execution", None)
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    new = json.dumps(nb, ensure_ascii=False, indent=1) + "\n"
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted(Path("notebooks").glob("*.ipynb"))
    for p in paths:
        if clean(p):
            print("cleaned", p)
