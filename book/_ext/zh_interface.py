"""把书的界面文字补成中文：Sphinx 和 pydata-sphinx-theme 的简体中文翻译里缺的几条（如“Link to this heading”）。

译文在同目录的 zh_interface.po。Sphinx 的翻译是一条链：一条消息在前面的目录里没有译文时，依次问后面的目录。
这里把 .po 编译成 .mo（放在构建目录里，不进仓库），挂在链的末尾：只补上游缺的条目，不改上游已有的译文。
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PO = Path(__file__).with_name("zh_interface.po")


def setup(app):
    language = app.config.language or "zh_CN"
    locale_dir = Path(app.doctreedir) / "zh_interface_locale"
    mo = locale_dir / language / "LC_MESSAGES" / "sphinx.mo"
    mo.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("rb") as source:
        catalog = read_po(source, locale=language)
    with mo.open("wb") as target:
        write_mo(target, catalog)
    app.add_message_catalog("sphinx", str(locale_dir))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
