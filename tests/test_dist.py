"""离线发布包（make dist → _build/dist/lenet-course-<版本>.zip）：解压到空文件夹，校验，并在断网的浏览器里打开。"""

from __future__ import annotations

import hashlib
import importlib.metadata
import zipfile
from pathlib import Path

import pytest

import lenet
from browser import PageLog, offline_browser, require_built, serve

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "_build" / "dist"
TOP = f"lenet-course-{lenet.__version__}"
ZIP = DIST / f"{TOP}.zip"
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))

# 各项检查共用解开的离线包（同一个进程里只解一次）
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("dist")]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory) -> Path:
    require_built(ZIP, "make dist")
    target = tmp_path_factory.mktemp("bundle")
    assert not any(target.iterdir())
    with zipfile.ZipFile(ZIP) as zf:
        assert {n.split("/")[0] for n in zf.namelist()} == {TOP}, "zip 里只有一个顶层文件夹"
        zf.extractall(target)
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_checksums(unpacked):
    digest, name = (DIST / "SHA256SUMS").read_text(encoding="utf-8").split()
    assert name == ZIP.name and digest == _sha256(ZIP)
    root = unpacked / TOP
    listed = {}
    for line in (root / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert files == set(listed)
    bad = [n for n, d in listed.items() if _sha256(root / n) != d]
    assert not bad, bad


def test_contents(unpacked):
    root = unpacked / TOP
    expected = [
        "离线使用说明.html",
        "README.md",
        "LICENSE",
        "pyproject.toml",
        "requirements.txt",
        "requirements-paddle26.txt",
        "src/lenet/__init__.py",
        "book/index.html",
        "book/lenet-book.pdf",
        "slides/index.html",
    ]
    expected += [f"notebooks/{c}.ipynb" for c in CHAPTERS] + [f"book/notebooks/{c}.html" for c in CHAPTERS]
    expected += [f"slides/{c}.slides.html" for c in CHAPTERS] + [f"slides/{c}.pdf" for c in CHAPTERS]
    missing = [e for e in expected if not (root / e).is_file()]
    assert not missing, missing
    for pdf in [root / "book/lenet-book.pdf", *(root / "slides").glob("*.pdf")]:
        assert pdf.read_bytes()[:5] == b"%PDF-", pdf


def test_guide_states_the_paddle_version_this_environment_tested(unpacked):
    guide = (unpacked / TOP / "离线使用说明.html").read_text(encoding="utf-8")
    assert f"paddlepaddle {importlib.metadata.version('paddlepaddle')}" in guide
    assert lenet.__version__ in guide


def test_opens_offline_in_the_browser(unpacked):
    """首页、说明页、一章、PDF 链接、一套幻灯片：没有失败的请求，没有控制台错误。"""
    with serve(unpacked) as url, offline_browser() as context:
        base = f"{url}/{TOP}"
        problems = {}
        for rel in [
            "离线使用说明.html",
            "book/index.html",
            "book/notebooks/06_train_evaluate.html",
            "slides/02_principles.slides.html",
        ]:
            page = context.new_page()
            log = PageLog(page)
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            if rel.startswith("slides/"):
                page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
            if rel == "book/index.html":  # 重定向到前言；前言上有整本书 PDF 的下载链接
                assert page.url.endswith("book/preface.html"), page.url
                href = page.eval_on_selector("#book-pdf a", "a => a.href")
                response = context.request.get(href)
                assert response.ok and response.body()[:5] == b"%PDF-", href
            if rel == "离线使用说明.html":
                for href in page.eval_on_selector_all("a", "els => els.map(a => a.href)"):
                    assert context.request.get(href).ok, href
            problems[rel] = log.problems()
            page.close()
    assert not any(problems.values()), problems
