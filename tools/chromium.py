"""找到 Chromium，以及启动它的参数：Makefile、测试（tests/browser.py）和 slides/export.py 都用这一处。

    python tools/chromium.py   # 打印 Chromium 的路径；找不到时什么也不打印，退出码 1

查找顺序：环境变量 ``CHROMIUM``，然后 PATH 里的 ``chromium``、``chromium-browser``。只用标准库。
"""

from __future__ import annotations

import os
import shutil
import sys

ENV_VAR = "CHROMIUM"
# 无头、离线运行：不用沙箱（容器里没有权限）、不用 GPU，关掉一切后台联网
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
INSTALL_HINT = "apt-get install chromium（或设置环境变量 CHROMIUM 为浏览器的路径）"


def find() -> str | None:
    """Chromium 可执行文件的路径；找不到时为 None。"""
    return os.environ.get(ENV_VAR) or shutil.which("chromium") or shutil.which("chromium-browser")


if __name__ == "__main__":
    path = find()
    if path:
        print(path)
    sys.exit(0 if path else 1)
