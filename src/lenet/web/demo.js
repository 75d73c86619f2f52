// 书里的手写数字演示：画布 → 预处理（LeNetPreprocess）→ LeNet-5（LeNetForward）→ 概率与特征图。
// 没有服务器、不联网：权重随页面一起到达（见 lenet.webdemo）。
(function (global) {
  "use strict";
  if (global.LeNetDemo) return;  // 同一页上有多个演示时只定义一次
  const F = global.LeNetForward, P = global.LeNetPreprocess;
  // 画布 200×200 像素（显示时按屏幕缩放）；笔画宽 15 像素：写满画布的数字缩到 20 像素高时，
  // 笔画约 2 像素宽，与 MNIST 的笔画相近
  const SIZE = 200, STROKE = 15;
  // 示例：页面打开时先写好一个“2”，读者马上看到结果（按“清除”后自己写）
  const EXAMPLE = [[[0.33, 0.33], [0.40, 0.24], [0.52, 0.20], [0.63, 0.25], [0.66, 0.36], [0.60, 0.48],
    [0.48, 0.60], [0.36, 0.72], [0.31, 0.79], [0.45, 0.78], [0.60, 0.77], [0.72, 0.78]]];
  const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  // 页面打开后的时间（毫秒，从导航开始算）：脚本开始、权重解码完、第一次预测完
  const timing = { scriptStart: performance.now(), decoded: null, firstPrediction: null };
  const decoded = new WeakMap();

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of children || []) e.appendChild(c);
    return e;
  }

  // viridis 色表（与书中特征图的配色相同），预先算成 256 级
  const LUT = new Uint8ClampedArray(256 * 3);
  for (let k = 0; k < 256; k++) {
    const t = (k / 255) * (VIRIDIS.length - 1), i = Math.min(Math.floor(t), VIRIDIS.length - 2), f = t - i;
    for (let c = 0; c < 3; c++) LUT[3 * k + c] = Math.round(VIRIDIS[i][c] + (VIRIDIS[i + 1][c] - VIRIDIS[i][c]) * f);
  }

  // 一个特征图（side×side）画进一个小画布；Sigmoid 的色标固定为 0～1，ReLU 为 0～该层最大值
  function paintMap(canvas, values, offset, side, vmax) {
    const ctx = canvas.getContext("2d"), img = ctx.createImageData(side, side), px = img.data;
    for (let i = 0; i < side * side; i++) {
      const k = values ? Math.round(255 * Math.min(Math.max(values[offset + i] / vmax, 0), 1)) : 0;
      px[4 * i] = LUT[3 * k];
      px[4 * i + 1] = LUT[3 * k + 1];
      px[4 * i + 2] = LUT[3 * k + 2];
      px[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  function mount(root, spec) {
    // 权重在第一次用到时才解码（页面打开时只解码默认的那个模型）
    const models = {};
    for (const [key, m] of Object.entries(spec.models))
      Object.defineProperty(models, key, { enumerable: true, get: () => {
        if (!decoded.has(m)) decoded.set(m, F.loadModel(m));
        return decoded.get(m);
      } });
    let current = spec.initial || Object.keys(spec.models)[0];
    void models[current];  // 解码默认模型
    if (timing.decoded === null) timing.decoded = performance.now();

    // ------------------------------------------------------------ 界面
    const pad = el("canvas", { width: SIZE, height: SIZE, class: "ld-pad", "aria-label": "手写数字画布" });
    const clear = el("button", { type: "button", class: "ld-clear", text: "清除" });
    const input = el("canvas", { width: 28, height: 28, class: "ld-input", "aria-label": "28×28 输入" });
    const answer = el("div", { class: "ld-answer", "aria-live": "polite" });
    const bars = el("div", { class: "ld-bars" });
    const barFills = [], barValues = [];
    for (let d = 0; d < 10; d++) {
      const fill = el("span", { class: "ld-fill" }), value = el("span", { class: "ld-value" });
      bars.appendChild(el("div", { class: "ld-bar" }, [
        el("span", { class: "ld-digit", text: String(d) }), el("span", { class: "ld-track" }, [fill]), value]));
      barFills.push(fill);
      barValues.push(value);
    }
    const mapsOf = (n, side) => Array.from({ length: n }, () => el("canvas", { width: side, height: side, class: "ld-map" }));
    const maps1 = mapsOf(6, 24), maps2 = mapsOf(16, 8);
    const switcher = el("div", { class: "ld-models", role: "radiogroup", "aria-label": "选择模型" });
    const buttons = {};
    for (const [key, m] of Object.entries(spec.models)) {
      const b = el("button", { type: "button", role: "radio", "data-model": key, text: m.label });
      b.addEventListener("click", () => { current = key; update(); });
      buttons[key] = b;
      switcher.appendChild(b);
    }
    const note = el("p", { class: "ld-note" });
    root.replaceChildren(
      switcher,
      el("div", { class: "ld-row" }, [
        el("figure", { class: "ld-panel" }, [pad, el("figcaption", {}, [
          el("span", { text: "用鼠标、手指或触控笔写一个数字 " }), clear])]),
        el("figure", { class: "ld-panel ld-narrow" }, [input, el("figcaption", { text: "预处理后：网络看到的 28×28 输入" })]),
        el("figure", { class: "ld-panel ld-probs" }, [answer, bars, el("figcaption", { text: "十个数字的概率（softmax）" })]),
      ]),
      el("figure", { class: "ld-panel ld-wide" }, [el("div", { class: "ld-maps ld-maps1" }, maps1),
        el("figcaption", { text: "L1（卷积 + 激活）：6 个特征图，每个 24×24" })]),
      el("figure", { class: "ld-panel ld-wide" }, [el("div", { class: "ld-maps ld-maps2" }, maps2),
        el("figcaption", { text: "L3（卷积 + 激活）：16 个特征图，每个 8×8" })]),
      note);

    // ------------------------------------------------------------ 画布
    const ctx = pad.getContext("2d", { willReadFrequently: true });
    // 像 MNIST 一样：黑底白字（也像黑板）；预处理对白底黑字同样适用（先判断极性）
    function blank() {
      ctx.fillStyle = "#000";
      ctx.fillRect(0, 0, SIZE, SIZE);
    }
    ctx.lineCap = ctx.lineJoin = "round";
    function segment(a, b) {
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = STROKE;
      ctx.beginPath();
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      ctx.stroke();
    }
    const at = (e) => {
      const r = pad.getBoundingClientRect();  // 幻灯片会整体缩放：按显示尺寸换算回画布像素
      return [(e.clientX - r.left) * SIZE / r.width, (e.clientY - r.top) * SIZE / r.height];
    };
    let last = null;
    pad.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      try { pad.setPointerCapture(e.pointerId); } catch (err) { /* 合成的事件没有真实指针，不影响画线 */ }
      last = at(e);
      segment(last, last);
      schedule();
    });
    pad.addEventListener("pointermove", (e) => {
      if (!last) return;
      const coalesced = e.getCoalescedEvents ? e.getCoalescedEvents() : [];  // 两帧之间的全部位置，笔画更圆滑
      for (const c of coalesced.length ? coalesced : [e]) {
        const p = at(c);
        segment(last, p);
        last = p;
      }
      schedule();
    });
    const end = () => { if (last) { last = null; schedule(); } };
    pad.addEventListener("pointerup", end);
    pad.addEventListener("pointercancel", end);
    // 不让幻灯片（reveal.js）把在画布上的拖动当成翻页手势
    for (const type of ["pointerdown", "pointermove", "pointerup", "mousedown", "touchstart", "touchmove", "touchend"])
      pad.addEventListener(type, (e) => e.stopPropagation());
    clear.addEventListener("click", () => { blank(); update(); });

    // ------------------------------------------------------------ 预测（画的时候每帧最多一次）
    let pending = false, updates = 0;
    function schedule() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; update(); });
    }

    function update() {
      const model = models[current];
      for (const [key, b] of Object.entries(buttons)) b.setAttribute("aria-checked", String(key === current));
      const digit = P.preprocess(ctx.getImageData(0, 0, SIZE, SIZE).data, SIZE, SIZE);
      const ictx = input.getContext("2d"), img = ictx.createImageData(28, 28);
      for (let i = 0; i < 784; i++) {
        const g = 255 - (digit ? digit[i] : 0);  // 与书中的图一样：墨水画成黑色
        img.data.set([g, g, g, 255], 4 * i);
      }
      ictx.putImageData(img, 0, 0);
      const out = digit ? F.forward(model, P.normalize(digit)) : null;
      const vmax = (layer) => {
        if (!out || model.activation === "sigmoid") return 1;
        let m = 1e-6;
        for (let i = 0; i < layer.length; i++) m = Math.max(m, layer[i]);
        return m;
      };
      const v1 = vmax(out && out.conv1), v2 = vmax(out && out.conv2);
      maps1.forEach((c, i) => paintMap(c, out && out.conv1, i * 576, 24, v1));
      maps2.forEach((c, i) => paintMap(c, out && out.conv2, i * 64, 8, v2));
      const best = out ? out.probs.indexOf(Math.max(...out.probs)) : -1;
      for (let d = 0; d < 10; d++) {
        const p = out ? out.probs[d] : 0;
        barFills[d].style.width = (100 * p).toFixed(1) + "%";
        barFills[d].classList.toggle("ld-top", d === best);
        barValues[d].textContent = out ? (100 * p).toFixed(1) + "%" : "";
      }
      answer.textContent = out ? "预测：" + best : "画布是空的：写一个数字";
      note.textContent = spec.models[current].note || "";
      root.dataset.prediction = out ? String(best) : "";
      root.dataset.updates = String(++updates);
      root.lenetDemo.last = out && { digit: best, input: Array.from(digit), logits: out.logits, probs: out.probs };
      if (timing.firstPrediction === null && out) timing.firstPrediction = performance.now();
    }

    root.lenetDemo = {
      update, models, last: null,
      setModel: (key) => { current = key; update(); },
      clear: () => { blank(); update(); },
      drawStrokes: (strokes) => {  // 坐标是画布边长的比例（0～1）
        for (const s of strokes) {
          const pts = s.map(([x, y]) => [x * SIZE, y * SIZE]);
          pts.forEach((p, i) => segment(pts[Math.max(i - 1, 0)], p));
        }
        update();
      },
    };
    blank();
    root.lenetDemo.drawStrokes(EXAMPLE);
    return root.lenetDemo;
  }

  global.LeNetDemo = { mount, timing };
})(window);
