"""让书里的公式离线也能排版：MathJax 3 来自 PyPI 包 django-static-mathjax，复制进 _static。"""

import shutil
from pathlib import Path

import mathjax  # django-static-mathjax 提供的纯静态文件包（不依赖 Django）

SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
# 只需要 tex-chtml.js 及它按需加载的部分；其余组合包和语音库（sre）不复制
SKIP = shutil.ignore_patterns("sre", "svg", "svg.js", "mml-*", "tex-mml-*", "tex-svg*", "tex-chtml-*", "node-main.js")


def _copy(app, exception):
    if exception is None and app.builder.format == "html":
        shutil.copytree(SOURCE, Path(app.outdir) / "_static" / "mathjax", dirs_exist_ok=True, ignore=SKIP)


def setup(app):
    app.config.mathjax_path = "mathjax/tex-chtml.js"  # 相对于 _static
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
