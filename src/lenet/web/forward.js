// LeNet-5 的前向计算：与 lenet.model.LeNet 完全相同的七层，纯 JavaScript，不依赖任何库。
// 权重由 lenet.webdemo 在构建书时从训练好的模型导出（float32，base64）。
// 张量都是按行优先（C, H, W）展平的一维数组，下标 (c, i, j) → (c·H + i)·W + j。
(function (global) {
  "use strict";

  // L1、L3：卷积（stride 1，不补边）。out[m, i, j] = b[m] + Σ_c Σ_u Σ_v W[m, c, u, v] · x[c, i+u, j+v]
  function conv2d(x, c, h, w, weight, bias, k) {
    const o = bias.length, oh = h - k + 1, ow = w - k + 1;  // 28−5+1 = 24，12−5+1 = 8
    const out = new Float64Array(o * oh * ow);
    for (let m = 0; m < o; m++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = bias[m];
          for (let ch = 0; ch < c; ch++)
            for (let u = 0; u < k; u++)
              for (let v = 0; v < k; v++)
                s += weight[((m * c + ch) * k + u) * k + v] * x[(ch * h + i + u) * w + j + v];
          out[(m * oh + i) * ow + j] = s;
        }
    return out;
  }

  // L2、L4：2×2 最大池化，步长 2：每个 2×2 块只留最大值，边长减半
  function maxPool2(x, c, h, w) {
    const oh = h >> 1, ow = w >> 1, out = new Float64Array(c * oh * ow);
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const p = (ch * h + 2 * i) * w + 2 * j;
          out[(ch * oh + i) * ow + j] = Math.max(x[p], x[p + 1], x[p + w], x[p + w + 1]);
        }
    return out;
  }

  // L5–L7：全连接。Paddle 的 Linear 权重形状是 [输入, 输出]：y[j] = b[j] + Σ_i x[i] · W[i, j]
  function dense(x, weight, bias) {
    const n = bias.length, y = Float64Array.from(bias);
    for (let i = 0; i < x.length; i++)
      for (let j = 0; j < n; j++) y[j] += x[i] * weight[i * n + j];
    return y;
  }

  const ACTIVATIONS = {
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
    relu: (v) => (v > 0 ? v : 0),
  };

  function softmax(z) {
    const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }

  // 输入：784 个归一化后的像素（背景 −1、笔画 +1）。返回各层结果，供界面画特征图。
  function forward(model, x) {
    const p = model.params, act = ACTIVATIONS[model.activation];
    const a1 = conv2d(x, 1, 28, 28, p["conv1.weight"], p["conv1.bias"], 5).map(act);   // 6×24×24
    const p1 = maxPool2(a1, 6, 24, 24);                                                 // 6×12×12
    const a3 = conv2d(p1, 6, 12, 12, p["conv2.weight"], p["conv2.bias"], 5).map(act);  // 16×8×8
    const p2 = maxPool2(a3, 16, 8, 8);                                                  // 16×4×4 → 256
    const h5 = dense(p2, p["fc1.weight"], p["fc1.bias"]).map(act);                      // 120
    const h6 = dense(h5, p["fc2.weight"], p["fc2.bias"]).map(act);                      // 84
    const logits = Array.from(dense(h6, p["fc3.weight"], p["fc3.bias"]));               // 10
    return { conv1: a1, conv2: a3, logits: logits, probs: softmax(logits) };
  }

  // 导出的模型：{activation, tensors: [[名字, 形状], ...], data: base64}。
  // data 是全部张量依次拼接的小端 float32（与 numpy 的 '<f4' 相同）。
  function loadModel(spec) {
    const bin = atob(spec.data), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const littleEndian = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;  // 几乎所有机器都是
    const view = new DataView(bytes.buffer), params = {};
    let offset = 0;
    for (const [name, shape] of spec.tensors) {
      const n = shape.reduce((a, b) => a * b, 1);
      let t = new Float32Array(bytes.buffer, 4 * offset, n);
      if (!littleEndian) {
        t = new Float32Array(n);
        for (let i = 0; i < n; i++) t[i] = view.getFloat32(4 * (offset + i), true);
      }
      params[name] = t;
      offset += n;
    }
    if (4 * offset !== bytes.length) throw new Error("LeNet 权重长度不符 / weight size mismatch");
    return { activation: spec.activation, params: params };
  }

  global.LeNetForward = { conv2d, maxPool2, dense, softmax, forward, loadModel, ACTIVATIONS };
})(window);
