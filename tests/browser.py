"""检查构建结果的测试的共用部分：构建产物是否存在、本机 HTTP 服务、离线的无头 Chromium、请求与控制台记录。"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """CI 上必须有 Chromium；读者机器上没有时跳过浏览器测试。"""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI 需要 Chromium（apt-get install chromium）")
        pytest.skip("没有 Chromium：浏览器测试跳过（apt-get install chromium）")
    return path


def require_built(path: Path, command: str) -> None:
    """构建产物不存在时：CI 上失败（说明构建步骤坏了），读者机器上跳过并提示命令。"""
    if not path.exists():
        message = f"{path} 不存在：先运行 {command}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


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
    """无头 Chromium；除 127.0.0.1 外的一切请求都被拦下并记为失败。"""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            lambda url: not url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")),
            lambda route: route.abort(),
        )
        try:
            yield context
        finally:
            browser.close()


class PageLog:
    """记录一个页面上失败的请求、HTTP 错误和控制台错误。"""

    def __init__(self, page):
        self.failed: list[str] = []
        self.errors: list[str] = []
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} [{r.status}]"))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def problems(self) -> list[str]:
        return self.failed + self.errors
