"""书构建时执行各章得到的输出（jupyter-cache）：没有缺字形警告，每章都有图，没有意外错误。"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import require_built

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def cache():
    require_built(CACHE, "make book")
    from jupyter_cache import get_cache

    return get_cache(str(CACHE))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_executed_outputs(cache, path):
    try:
        _, nb = cache.merge_match_into_file(str(path))
    except KeyError:
        pytest.fail(f"{path.name} 改过但书没有重建（make book）")
    stderr, images, errors = [], 0, []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr":
                stderr.append(out.text)
            elif out.output_type == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                errors.append(out.ename)
            images += "image/png" in out.get("data", {})
    glyphs = [t for t in stderr if "missing from font" in t or "Glyph" in t]
    assert not glyphs, glyphs[:3]
    assert not errors
    assert images >= 1, "chapter draws no figure"
