"""lenet.webdemo：书里在浏览器中手写数字的演示。

不开浏览器的部分检查权重的导出；标记 browser 的部分在断网的无头 Chromium 里从 file:// 打开演示页，检查
(1) JavaScript 的前向计算与 Paddle 在 1000 张测试图上一致（两个模型），(2) JavaScript 的预处理与
lenet.preprocess 对同一张位图给出同样的 28×28，(3) 用指针事件真的写几个数字，FAST 模型认对，特征图随之变化，
(4) 构建好的第 7 章和它的幻灯片里演示能用。
"""

from __future__ import annotations

import base64
import json

import numpy as np
import paddle
import pytest

from browser import ARTIFACTS, PageLog, offline_browser, require_built
from lenet import preprocess, webdemo
from lenet.model import LeNet

ROOT = webdemo.WEB_DIR.parents[2]
BUILT_CHAPTER = ROOT / "_build" / "html" / "notebooks" / "07_visualization.html"
BUILT_DECK = ROOT / "_build" / "slides" / "07_visualization.slides.html"
N_PARITY = webdemo.PARITY_IMAGES
BUDGET = 600_000  # 演示给一页增加的字节数上限
# 浏览器里的检查共用模块级的 Chromium 和演示页（make test-built 按 xdist_group 把它们分给同一个进程）
pytestmark = pytest.mark.xdist_group("webdemo")


# ---------------------------------------------------------------- 导出（不开浏览器）


def test_export_round_trip():
    paddle.seed(0)
    net = LeNet("relu")
    spec = webdemo.export_model(net, "测试")
    assert spec["activation"] == "relu" and spec["label"] == "测试"
    params = webdemo.decode_model(spec)
    state = net.state_dict()
    assert list(params) == [name for name, _ in webdemo.TENSORS]
    for name, value in params.items():
        np.testing.assert_array_equal(value, state[name].numpy())
    assert sum(v.size for v in params.values()) == 44426
    assert len(base64.b64decode(spec["data"])) == 4 * 44426


def test_export_rejects_other_networks():
    with pytest.raises(ValueError, match="conv1.weight"):
        webdemo.export_model(paddle.nn.Linear(3, 2), "x")
    bad = LeNet()
    bad.fc1 = paddle.nn.Linear(400, 120)  # 32×32 输入的 fc1
    with pytest.raises(ValueError, match="fc1.weight"):
        webdemo.export_model(bad, "x")


def test_html_is_self_contained_and_within_budget():
    paddle.seed(0)
    models = {"a": webdemo.export_model(LeNet("sigmoid"), "甲"), "b": webdemo.export_model(LeNet("relu"), "乙")}
    page = webdemo.html(models, initial="b")
    assert len(page.encode()) <= BUDGET, len(page.encode())
    assert "src=" not in page and "http://" not in page and "https://" not in page and "fetch(" not in page
    assert page.count("<script>") == 1 and page.count("</script>") == 1  # 权重里的 "</" 已转义
    spec = json.loads(
        page.split("LeNetDemo.mount(document.currentScript.previousElementSibling, ")[1]
        .rsplit(");", 1)[0]
        .replace("<\\/", "</")
    )
    assert spec["initial"] == "b" and set(spec["models"]) == {"a", "b"}
    with pytest.raises(ValueError):
        webdemo.html({})


def test_source_of_missing_file_is_explained():
    with pytest.raises(FileNotFoundError, match="demo file missing"):
        webdemo.source("nope.js")
    assert "function conv2d" in webdemo.source("forward.js")


# ---------------------------------------------------------------- 浏览器

# 笔画：画布边长的比例（0～1）。每个数字写在不同位置、不同大小
SEVEN = [[(0.22, 0.2), (0.8, 0.2), (0.62, 0.5), (0.45, 0.88)]]
ZERO = [[(0.5 + 0.28 * np.sin(t), 0.5 - 0.4 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 33)]]
ONE = [[(0.52, 0.12), (0.5, 0.88)]]
DRAWINGS = [  # (数字, 笔画, 缩放, 左上角偏移, 指针类型)
    (7, SEVEN, 0.45, (0.04, 0.05), "mouse"),
    (0, ZERO, 0.9, (0.08, 0.06), "mouse"),
    (1, ONE, 0.5, (0.45, 0.47), "pen"),
    (7, SEVEN, 0.75, (0.2, 0.2), "touch"),
]


@pytest.fixture(scope="module")
def browser_context():
    """本模块共用一个断网的 Chromium（Playwright 的同步接口不能同时开两个）。"""
    with offline_browser() as context:
        context.set_default_timeout(60_000)  # 机器忙时也不误报
        yield context


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory, browser_context):
    """两个课程模型（模型缓存）的演示页，从 file:// 打开。"""
    models = webdemo.course_models()
    path = tmp_path_factory.mktemp("webdemo") / "demo.html"
    path.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
        + webdemo.html(models, initial="fast")
        + "</body></html>",
        encoding="utf-8",
    )
    page = browser_context.new_page()
    log = PageLog(page)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("document.querySelector('.lenet-demo').dataset.prediction !== undefined")
    yield page, log
    page.close()


def _networks():
    from lenet import cache

    return {key: cache.trained(config, verbose=0)[0] for key, (config, _) in webdemo.course_configs().items()}


FORWARD_ALL = """([b64, key]) => {
  const u8 = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const model = document.querySelector('.lenet-demo').lenetDemo.models[key], out = [];
  for (let i = 0; i < u8.length / 784; i++)
    out.push(...LeNetForward.forward(model, LeNetPreprocess.normalize(u8.subarray(784 * i, 784 * (i + 1)))).logits);
  return out;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("key", ["original", "fast"])
def test_forward_pass_matches_paddle(demo_page, key):
    from lenet import data, train

    page, log = demo_page
    images = data.load_numpy("test")[0][:N_PARITY]
    js = np.array(page.evaluate(FORWARD_ALL, [base64.b64encode(images.tobytes()).decode(), key]))
    js = js.reshape(N_PARITY, 10)
    ref = train.predict_logits(_networks()[key], images)
    diff = np.abs(js - ref).max()
    assert diff < webdemo.PARITY_ATOL, diff
    assert (js.argmax(1) == ref.argmax(1)).all()
    assert not log.problems(), log.problems()


PREPROCESS = """([b64, h, w]) => {
  const r = LeNetPreprocess.preprocess(Uint8Array.from(atob(b64), c => c.charCodeAt(0)), w, h);
  return r && Array.from(r);
}"""


def _js_preprocess(page, rgba):
    out = page.evaluate(PREPROCESS, [base64.b64encode(rgba.tobytes()).decode(), *rgba.shape[:2]])
    return None if out is None else np.array(out, dtype=int).reshape(28, 28)


@pytest.mark.browser
def test_preprocess_matches_python(demo_page):
    from lenet import data

    page, _ = demo_page
    images, _ = data.load_numpy("test")
    rng = np.random.default_rng(0)
    bitmaps = []
    for i in range(8):  # 仿照片：浅色纸、不均匀光照、噪声（走极性判断、拉平光照、去噪点的每一步）
        rgb = preprocess.photo_like(images[i], rng)
        bitmaps.append(np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)]))
    for _, strokes, scale, offset, _ in DRAWINGS:  # 画布上的位图（黑底白字）
        page.evaluate("() => document.querySelector('.lenet-demo').lenetDemo.clear()")
        page.evaluate(
            "s => document.querySelector('.lenet-demo').lenetDemo.drawStrokes(s)",
            [[[offset[0] + scale * x, offset[1] + scale * y] for x, y in s] for s in strokes],
        )
        rgba = np.array(
            page.evaluate(
                "() => Array.from(document.querySelector('.ld-pad').getContext('2d').getImageData(0, 0, 200, 200).data)"
            ),
            dtype=np.uint8,
        ).reshape(200, 200, 4)
        bitmaps.append(rgba)
        shown = page.evaluate("() => document.querySelector('.lenet-demo').lenetDemo.last.input")
        np.testing.assert_array_equal(np.array(shown).reshape(28, 28), _js_preprocess(page, rgba))
    for rgba in bitmaps:
        js, py = _js_preprocess(page, rgba), preprocess.preprocess(rgba).astype(int)
        assert np.abs(js - py).max() <= webdemo.PARITY_PIXELS, np.abs(js - py).max()
        assert (js != py).mean() < 0.01
    blank = np.zeros((50, 60, 4), np.uint8)
    blank[..., 3] = 255
    assert _js_preprocess(page, blank) is None  # Python 在这里抛出 ImageError
    with pytest.raises(preprocess.ImageError):
        preprocess.preprocess(blank)


MAPS = """() => [...document.querySelectorAll('.lenet-demo .ld-map')].map(c =>
  Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data).reduce((a, b) => a + b, 0))"""

POINTER = """([points, type]) => {  // 合成的触摸、触控笔指针事件（Playwright 的鼠标只产生 mouse 类型）
  const pad = document.querySelector('.ld-pad'), r = pad.getBoundingClientRect();
  const ev = (name, [x, y]) => pad.dispatchEvent(new PointerEvent(name, {bubbles: true, pointerId: 7,
    pointerType: type, isPrimary: true, clientX: r.left + x * r.width, clientY: r.top + y * r.height}));
  ev('pointerdown', points[0]);
  points.slice(1).forEach(p => ev('pointermove', p));
  ev('pointerup', points[points.length - 1]);
}"""


def _draw(page, strokes, scale, offset, pointer):
    box = page.locator(".lenet-demo .ld-pad").bounding_box()
    for stroke in strokes:
        pts = [(offset[0] + scale * x, offset[1] + scale * y) for x, y in stroke]
        if pointer == "mouse":
            page.mouse.move(box["x"] + pts[0][0] * box["width"], box["y"] + pts[0][1] * box["height"])
            page.mouse.down()
            for x, y in pts[1:]:
                page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=6)
            page.mouse.up()
        else:
            dense = [
                tuple(a + (b - a) * t for a, b in zip(p, q)) for p, q in zip(pts, pts[1:]) for t in np.linspace(0, 1, 7)
            ]
            page.evaluate(POINTER, [dense, pointer])


@pytest.mark.browser
def test_drawn_digits_are_recognised(demo_page):
    page, log = demo_page
    page.reload(wait_until="load")  # 回到刚打开的样子：画布上是示例的“2”
    root = page.locator(".lenet-demo")
    root.locator("button[data-model=fast]").click()
    assert root.get_attribute("data-prediction") == "2"
    before = page.evaluate(MAPS)
    results = []
    for digit, strokes, scale, offset, pointer in DRAWINGS:
        root.locator("button.ld-clear").click()
        assert root.get_attribute("data-prediction") == ""
        assert max(page.evaluate(MAPS)[:6]) == min(page.evaluate(MAPS)[:6])  # 空画布：特征图一片空白
        count = int(root.get_attribute("data-updates"))
        _draw(page, strokes, scale, offset, pointer)
        page.wait_for_function(f"+document.querySelector('.lenet-demo').dataset.updates > {count}")
        page.wait_for_timeout(50)  # 最后一帧
        got = root.get_attribute("data-prediction")
        maps = page.evaluate(MAPS)
        results.append((digit, got, pointer))
        assert maps != before and len(set(maps[:6])) > 1  # 特征图随画的内容变化，各不相同
        before = maps
        page.screenshot(path=str(ARTIFACTS / f"webdemo-{digit}-{pointer}.png")) if ARTIFACTS.is_dir() else None
    assert all(str(d) == g for d, g, _ in results), results
    # 切换模型：同一张图，换成原笔记本的 Sigmoid 模型，概率随之改变
    probs = page.evaluate("() => document.querySelector('.lenet-demo').lenetDemo.last.probs")
    root.locator("button[data-model=original]").click()
    assert root.locator("button[data-model=original]").get_attribute("aria-checked") == "true"
    assert page.evaluate("() => document.querySelector('.lenet-demo').lenetDemo.last.probs") != probs
    assert not log.problems(), log.problems()


def _check_built_demo(page, log, name):
    page.wait_for_function(
        "document.querySelector('.lenet-demo') && document.querySelector('.lenet-demo').dataset.prediction === '2'"
    )
    timing = page.evaluate(
        "() => ({...LeNetDemo.timing, load: performance.getEntriesByType('navigation')[0]"
        ".loadEventEnd, bytes: document.documentElement.outerHTML.length})"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"webdemo-timing-{name}.json").write_text(json.dumps(timing, indent=1), encoding="utf-8")
    assert not log.problems(), log.problems()


@pytest.mark.browser
def test_built_chapter_demo_works_from_disk(browser_context):
    require_built(BUILT_CHAPTER, "make book")
    page = browser_context.new_page()
    log = PageLog(page)
    page.goto(BUILT_CHAPTER.as_uri(), wait_until="load")
    _check_built_demo(page, log, "chapter")
    root = page.locator(".lenet-demo")
    root.locator("button.ld-clear").click()
    root.scroll_into_view_if_needed()
    _draw(page, ONE, 0.7, (0.15, 0.15), "mouse")
    page.wait_for_function("document.querySelector('.lenet-demo').dataset.prediction === '1'")
    assert not log.problems(), log.problems()
    page.close()


@pytest.mark.browser
def test_built_slide_demo_works_from_disk(browser_context):
    require_built(BUILT_DECK, "make slides")
    page = browser_context.new_page()
    log = PageLog(page)
    page.goto(BUILT_DECK.as_uri(), wait_until="load")
    page.wait_for_function("window.Reveal && window.Reveal.isReady()")
    _check_built_demo(page, log, "slides")
    # 翻到演示所在的那一页，在缩放后的幻灯片上写一个 1：画布的拖动不能被当成翻页
    page.evaluate(
        "() => { const s = document.querySelector('.lenet-demo').closest('section');"
        " const i = Reveal.getIndices(s); Reveal.slide(i.h, i.v); }"
    )
    page.wait_for_timeout(1000)
    before = page.evaluate("() => Reveal.getIndices()")
    page.locator(".lenet-demo button.ld-clear").click()
    _draw(page, ONE, 0.7, (0.15, 0.15), "mouse")
    page.wait_for_function("document.querySelector('.lenet-demo').dataset.prediction === '1'")
    assert page.evaluate("() => Reveal.getIndices()") == before
    page.screenshot(path=str(ARTIFACTS / "webdemo-slide.png"))
    assert not log.problems(), log.problems()
    page.close()
