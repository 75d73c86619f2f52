"""图中的中文：找一个简体中文字体交给 matplotlib，并让负号正常显示。

:mod:`lenet.viz` 的每个画图函数都带 :func:`with_cjk_font` 装饰器，画图前自动调用 :func:`setup_fonts`；
在自己的代码里用 matplotlib 画含中文的图时，先调用一次 ``setup_fonts()``。
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import matplotlib
from matplotlib import font_manager

# 系统里常见的简体中文字体（Linux / macOS / Windows / AI Studio），按优先级排列
SYSTEM_CJK_FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "STHeiti",
]
# 只有日文、繁体字形的 CJK 字体：能显示汉字，但字形不是简体规范，放在 mplfonts 之后
FALLBACK_CJK_FONTS = ["Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans"]
_font_name: str | None = None


def _mplfonts_font() -> str | None:
    """PyPI 包 mplfonts 自带 Noto Sans CJK SC；装了它就在任何系统上都有中文字体。"""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.is_file():
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def find_cjk_font() -> str | None:
    """第一个可用的简体中文字体名：系统字体，其次 mplfonts 自带的字体，最后日文、繁体字形；都没有时为 None。"""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return (
        next((n for n in SYSTEM_CJK_FONTS if n in installed), None)
        or _mplfonts_font()
        or next((n for n in FALLBACK_CJK_FONTS if n in installed), None)
    )


def setup_fonts() -> str | None:
    """让 matplotlib 用中文字体并正常显示负号；返回所用字体名，找不到中文字体时返回 None 并给出提示。

    字体只查找一次；每次调用都重新写入 rcParams（读者可能在中途重置过 matplotlib 的设置）。
    """
    global _font_name
    if _font_name is None:
        _font_name = find_cjk_font()
    if _font_name is None:
        warnings.warn(
            "没有找到中文字体，图中的中文会显示成方框。请 `pip install mplfonts`，"
            "或安装 Noto Sans CJK / 文泉驿字体。\n"
            "No CJK font found: Chinese text in figures will show as boxes. "
            "Install mplfonts (pip) or a Noto Sans CJK / WenQuanYi font.",
            stacklevel=2,
        )
    else:
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["font.sans-serif"] = [_font_name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return _font_name


def with_cjk_font(draw):
    """装饰画图函数：先 :func:`setup_fonts`，再画。:mod:`lenet.viz` 的公开函数都用它。"""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        setup_fonts()
        return draw(*args, **kwargs)

    return wrapper
