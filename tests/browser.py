"""检查构建结果的测试的共用部分：缺少构建产物或工具时怎么办、本机 HTTP 服务、离线的无头 Chromium、请求与控制台记录。

Chromium 的路径和启动参数来自 ``tools/chromium.py``（Makefile 和 slides/export.py 用的也是它）。
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

sys.path.insert(0, str(ROOT / "tools"))
import chromium  # noqa: E402  tools/chromium.py


def skip_or_fail(message: str) -> None:
    """缺少构建产物、数据或工具时唯一的出口：CI 上（环境变量 CI）失败，说明准备步骤坏了；读者机器上跳过并说明原因。"""
    if os.environ.get("CI"):
        pytest.fail(f"CI：{message}")
    pytest.skip(message)


def require_chromium() -> str:
    """Chromium 的路径；没有时跳过（CI 上失败）。"""
    path = chromium.find()
    if path is None:
        skip_or_fail(f"没有 Chromium，浏览器测试需要它：{chromium.INSTALL_HINT}")
    return path


def require_built(path: Path, command: str) -> None:
    """构建产物不存在时跳过并提示命令（CI 上失败）。"""
    if not path.exists():
        skip_or_fail(f"{path} 不存在：先运行 {command}")


def require_program(name: str, package: str) -> str:
    """命令行工具（如 poppler 的 pdftotext）：CI 上必须有，读者机器上没有时跳过。"""
    path = shutil.which(name)
    if path is None:
        message = f"没有 {name}：apt-get install {package}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path):
    """在 127.0.0.1 的空闲端口上提供 directory，返回根 URL。"""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def offline_browser():
    """无头 Chromium；除 127.0.0.1 和本机文件（file://）外的一切请求都被拦下并记为失败。"""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=chromium.ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            lambda url: not url.startswith(("http://127.0.0.1", "file://", "data:", "blob:", "about:")),
            lambda route: route.abort(),
        )
        try:
            yield context
        finally:
            browser.close()


def wait_for_math(page, every_formula: bool = True, timeout: float = 30_000) -> None:
    """页面上有公式（.math）时，等 MathJax 启动完成；``every_formula`` 时再等每个公式都排成 mjx-container。

    书的浏览器检查、学生版的检查和整本书的 PDF（tools/book_pdf.py）共用它。
    """
    if page.locator(".math").count() == 0:
        return
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")
    if every_formula:
        page.wait_for_function(
            "document.querySelectorAll('.math').length <= document.querySelectorAll('mjx-container').length",
            timeout=timeout,
        )


class PageLog:
    """记录一个页面上失败的请求、HTTP 错误和控制台错误。"""

    def __init__(self, page):
        self.failed: list[str] = []
        self.errors: list[str] = []
        page.on("requestfailed", self._on_failed)
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} [{r.status}]"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _on_failed(self, request) -> None:
        # 页面（或 iframe）自己的导航被新的导航或关窗取消时记为 net::ERR_ABORTED，这不是加载失败：
        # 演讲者视图切换幻灯片时会重设预览 iframe 的地址。被拦下的外网请求是 net::ERR_FAILED，照样记下。
        if request.failure == "net::ERR_ABORTED" and request.resource_type == "document":
            return
        self.failed.append(f"{request.url} ({request.failure})")

    def problems(self) -> list[str]:
        return self.failed + self.errors
