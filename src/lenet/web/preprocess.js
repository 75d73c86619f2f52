// lenet.preprocess 的 JavaScript 移植：画布上的一个手写数字 → MNIST 式 28×28（0..255）。
// 每个函数对应 Python 里同名（驼峰写法）的函数，步骤和算术与它相同；浏览器测试逐像素比较两者。
// 图像是行优先的 Float64Array，配上高 h、宽 w。
(function (global) {
  "use strict";

  const SIDE = 28, BOX = 20, CENTER = 14.0, MAX_SIDE = 1024;
  const MIN_BLOB_FRACTION = 0.05, MIN_CONTRAST = 0.25;

  // ---------------------------------------------------------------- 1. 读入：RGBA → 灰度（0 黑，1 白）
  // 与 _array_to_gray 相同：ITU-R 601 加权，透明部分合成到白纸上
  function loadGray(rgba, w, h) {
    const g = new Float64Array(w * h);
    for (let i = 0; i < w * h; i++) {
      const r = rgba[4 * i] / 255, gr = rgba[4 * i + 1] / 255, b = rgba[4 * i + 2] / 255;
      const a = rgba[4 * i + 3] / 255;
      const y = r * 0.299 + gr * 0.587 + b * 0.114;
      g[i] = Math.min(Math.max(y * a + (1 - a), 0), 1);
    }
    if (Math.max(h, w) <= MAX_SIDE) return { a: g, h: h, w: w };
    const [nh, nw] = boxSize(h, w, MAX_SIDE);
    return { a: areaResize(g, h, w, nh, nw), h: nh, w: nw };
  }

  // ---------------------------------------------------------------- 2. 笔迹
  function otsuThreshold(v, bins = 256) {
    const hist = new Float64Array(bins);
    for (let i = 0; i < v.length; i++) {
      const x = Math.min(Math.max(v[i], 0), 1);
      hist[Math.min(Math.floor(x * bins), bins - 1)] += 1;
    }
    let w0 = 0, m0 = 0, mu = 0;
    for (let k = 0; k < bins; k++) mu += (hist[k] / v.length) * ((k + 0.5) / bins);
    let best = 0, arg = 0;
    for (let k = 0; k < bins; k++) {
      const p = hist[k] / v.length;
      w0 += p;
      m0 += p * ((k + 0.5) / bins);
      let between = (mu * w0 - m0) ** 2 / (w0 * (1 - w0));
      if (!Number.isFinite(between)) between = 0;
      if (between > best) { best = between; arg = k; }
    }
    return (arg + 1) / bins;
  }

  // numpy 的默认分位数（linear）：排序后在下标 q·(n−1) 处线性插值
  function percentile(values, q) {
    const s = Float64Array.from(values).sort(), n = s.length;  // 复制后排序（typed array 按数值排序）
    const x = (q / 100) * (n - 1), lo = Math.floor(x), hi = Math.min(lo + 1, n - 1), t = x - lo;
    const d = s[hi] - s[lo];
    return t >= 0.5 ? s[hi] - d * (1 - t) : s[lo] + d * t;
  }

  function median(values) {
    const s = Float64Array.from(values).sort(), n = s.length, m = n >> 1;
    return n % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  // 图像最外一圈（宽度为短边的 2%，至少 1 像素）
  function border(a, h, w) {
    const b = Math.max(1, Math.floor(Math.min(h, w) / 50)), out = [];
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        if (y >= b && y < h - b && x === b) x = w - b;  // 中间的行只取左右两边
        out.push(a[y * w + x]);
      }
    return out;
  }

  // 每个像素在相邻两个块中心之间的线性插值：返回 [块下标 i0, 权重 1−frac, 权重 frac]
  function interpWeights(n, block, blocks) {
    const out = [];
    for (let y = 0; y < n; y++) {
      const u = Math.min(Math.max((y + 0.5) / block - 0.5, 0), blocks - 1);
      const i0 = blocks > 1 ? Math.min(Math.floor(u), blocks - 2) : 0;
      out.push([i0, 1 - (u - i0), u - i0]);
    }
    return out;
  }

  // 浅色纸：每块的 90% 分位数估计纸的亮度，取 3×3 邻块最大值，双线性插值后除掉
  function flattenLighting(g, h, w, blocks = 8) {
    blocks = Math.max(1, Math.min(blocks, h, w));
    const bh = Math.floor(h / blocks), bw = Math.floor(w / blocks);
    const grid = new Float64Array(blocks * blocks), tile = new Float64Array(bh * bw);
    for (let by = 0; by < blocks; by++)
      for (let bx = 0; bx < blocks; bx++) {
        let k = 0;
        for (let y = by * bh; y < (by + 1) * bh; y++)
          for (let x = bx * bw; x < (bx + 1) * bw; x++) tile[k++] = g[y * w + x];
        grid[by * blocks + bx] = percentile(tile, 90);
      }
    const clampB = (i) => Math.min(Math.max(i, 0), blocks - 1);
    const grown = new Float64Array(blocks * blocks);
    for (let i = 0; i < blocks; i++)
      for (let j = 0; j < blocks; j++) {
        let m = -Infinity;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) m = Math.max(m, grid[clampB(i + dy) * blocks + clampB(j + dx)]);
        grown[i * blocks + j] = m;
      }
    // paper = My · grown · Mxᵀ，与 NumPy 一样先乘左边（每行只有两个非零权重）
    const ry = interpWeights(h, bh, blocks), rx = interpWeights(w, bw, blocks);
    const out = new Float64Array(h * w), rowMix = new Float64Array(blocks);
    for (let y = 0; y < h; y++) {
      const [i0, a0, a1] = ry[y];
      for (let j = 0; j < blocks; j++)
        rowMix[j] = blocks > 1 ? a0 * grown[i0 * blocks + j] + a1 * grown[(i0 + 1) * blocks + j] : a0 * grown[j];
      for (let x = 0; x < w; x++) {
        const [j0, b0, b1] = rx[x];
        const paper = blocks > 1 ? rowMix[j0] * b0 + rowMix[j0 + 1] * b1 : rowMix[0] * b0;
        out[y * w + x] = Math.min(Math.max(g[y * w + x] / Math.max(paper, 1e-3), 0), 1);
      }
    }
    return out;
  }

  // 3×3 平均（边缘按最近的像素延伸），与 _box3 的求和次序相同
  function box3(a, h, w) {
    const out = new Float64Array(h * w);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const row = Math.min(Math.max(y + dy, 0), h - 1) * w;
          for (let dx = -1; dx <= 1; dx++) s += a[row + Math.min(Math.max(x + dx, 0), w - 1)];
        }
        out[y * w + x] = s / 9.0;
      }
    return out;
  }

  // 3×3 膨胀（8 邻域）：每个为真的像素把它周围 3×3 都设为真
  function dilate(mask, h, w) {
    const out = new Uint8Array(h * w);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        if (!mask[y * w + x]) continue;
        for (let yy = Math.max(y - 1, 0); yy <= Math.min(y + 1, h - 1); yy++)
          for (let xx = Math.max(x - 1, 0); xx <= Math.min(x + 1, w - 1); xx++) out[yy * w + xx] = 1;
      }
    return out;
  }

  // 8 邻域连通块（与 label_blobs 的结果相同；这里用逐块的栈式填充）
  function labelBlobs(mask, h, w) {
    const labels = new Int32Array(h * w), stack = [];
    let n = 0;
    for (let s = 0; s < h * w; s++) {
      if (!mask[s] || labels[s]) continue;
      labels[s] = ++n;
      stack.push(s);
      while (stack.length) {
        const p = stack.pop(), y = (p / w) | 0, x = p % w;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy, xx = x + dx, q = yy * w + xx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w && mask[q] && !labels[q]) { labels[q] = n; stack.push(q); }
          }
      }
    }
    return { labels: labels, n: n };
  }

  // 灰度 → 笔迹强度（1 = 墨水）。空白画布返回 null（Python 在这里抛出 ImageError）。
  function extractInk(g, h, w) {
    let t = otsuThreshold(g);
    const invert = median(border(g, h, w)) > t;  // 外圈是亮的：浅色纸上的深色字，要反相
    let v = g;
    if (invert) v = flattenLighting(g, h, w).map((x) => 1 - x);
    const smooth = box3(v, h, w);  // 先 3×3 平均再求阈值：噪声减弱，几像素宽的笔画基本不变
    t = otsuThreshold(smooth);
    const fg = new Uint8Array(h * w);
    let nInk = 0, nCore = 0;
    for (let i = 0; i < v.length; i++) {
      nInk += fg[i] = smooth[i] > t ? 1 : 0;
      nCore += fg[i] && v[i] > t ? 1 : 0;
    }
    const inkVals = new Float64Array(nInk), bgVals = new Float64Array(v.length - nInk);
    for (let i = 0, a = 0, c = 0; i < v.length; i++) if (fg[i]) inkVals[a++] = v[i]; else bgVals[c++] = v[i];
    const mean = (a) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s / a.length; };
    const contrast = inkVals.length && bgVals.length ? mean(inkVals) - mean(bgVals) : 0;
    if (contrast < MIN_CONTRAST) return null;
    const { labels, n } = labelBlobs(fg, h, w);
    const mass = new Float64Array(n + 1);
    for (let i = 0; i < v.length; i++) mass[labels[i]] += v[i];
    let maxMass = 0;
    for (let k = 1; k <= n; k++) maxMass = Math.max(maxMass, mass[k]);
    const keep = new Uint8Array(h * w);
    for (let i = 0; i < v.length; i++) keep[i] = labels[i] && mass[labels[i]] >= MIN_BLOB_FRACTION * maxMass ? 1 : 0;
    // p：笔画内部（平滑前后都在阈值以上）的中位数；没有这样的像素时用全部墨水候选
    const core = new Float64Array(nCore);
    for (let i = 0, c = 0; i < v.length; i++) if (fg[i] && v[i] > t) core[c++] = v[i];
    const b = percentile(bgVals, 90), p = median(nCore ? core : inkVals), near = dilate(keep, h, w);
    const ink = new Float64Array(h * w);
    for (let i = 0; i < v.length; i++)
      ink[i] = near[i] ? Math.min(Math.max((v[i] - b) / Math.max(p - b, 1e-6), 0), 1) : 0;
    return ink;
  }

  // ---------------------------------------------------------------- 3. 几何核心
  function boxSize(h, w, box = BOX) {
    const m = Math.max(h, w);
    return [Math.max(1, Math.floor((2 * h * box + m) / (2 * m))), Math.max(1, Math.floor((2 * w * box + m) / (2 * m)))];
  }

  // nOut × nIn 的面积平均权重（整数重叠 / nIn，每行之和为 1）
  function areaMatrix(nIn, nOut) {
    const m = [];
    for (let i = 0; i < nOut; i++) {
      const row = new Float64Array(nIn), lo = i * nIn;
      for (let k = 0; k < nIn; k++) row[k] = Math.max(Math.min(lo + nIn, (k + 1) * nOut) - Math.max(lo, k * nOut), 0) / nIn;
      m.push(row);
    }
    return m;
  }

  // 面积平均缩放：Ry · image · Rxᵀ（先按行，再按列）
  function areaResize(img, h, w, oh, ow) {
    const ry = areaMatrix(h, oh), rx = areaMatrix(w, ow), tmp = new Float64Array(oh * w), out = new Float64Array(oh * ow);
    for (let i = 0; i < oh; i++)
      for (let k = 0; k < h; k++) {
        const c = ry[i][k];
        if (c) for (let x = 0; x < w; x++) tmp[i * w + x] += c * img[k * w + x];
      }
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let s = 0;
        for (let x = 0; x < w; x++) if (rx[j][x]) s += tmp[i * w + x] * rx[j][x];
        out[i * ow + j] = s;
      }
    return out;
  }

  // 质心（行, 列）：先求每行、每列之和，再按下标加权（与 center_of_mass 相同的次序）
  function centerOfMass(img, h, w) {
    const rows = new Float64Array(h), cols = new Float64Array(w);
    let total = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) { const v = img[y * w + x]; rows[y] += v; cols[x] += v; total += v; }
    let sy = 0, sx = 0;
    for (let y = 0; y < h; y++) sy += rows[y] * y;
    for (let x = 0; x < w; x++) sx += cols[x] * x;
    return [sy / total, sx / total];
  }

  // 外接框 → 长边缩放到 20 像素 → 质心放到 (14, 14)（四舍五入的整数平移，整个数字留在画布内）
  function centerDigit(ink, h, w) {
    let r0 = h, r1 = -1, c0 = w, c1 = -1;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (ink[y * w + x] > 0) { r0 = Math.min(r0, y); r1 = Math.max(r1, y); c0 = Math.min(c0, x); c1 = Math.max(c1, x); }
    if (r1 < 0) return null;
    const ch = r1 - r0 + 1, cw = c1 - c0 + 1, crop = new Float64Array(ch * cw);
    for (let y = 0; y < ch; y++) for (let x = 0; x < cw; x++) crop[y * cw + x] = ink[(r0 + y) * w + c0 + x];
    const [nh, nw] = boxSize(ch, cw);
    const small = areaResize(crop, ch, cw, nh, nw);
    const [cy, cx] = centerOfMass(small, nh, nw);
    const oy = Math.min(Math.max(Math.floor(CENTER - cy + 0.5), 0), SIDE - nh);
    const ox = Math.min(Math.max(Math.floor(CENTER - cx + 0.5), 0), SIDE - nw);
    const out = new Float64Array(SIDE * SIDE);
    for (let y = 0; y < nh; y++) for (let x = 0; x < nw; x++) out[(oy + y) * SIDE + ox + x] = small[y * nw + x];
    return out;
  }

  // ---------------------------------------------------------------- 4. 整条流水线
  // RGBA 像素（如 getImageData().data）→ 28×28 Uint8Array（0 背景，255 墨水）；没有笔迹时返回 null
  function preprocess(rgba, w, h) {
    const g = loadGray(rgba, w, h);
    const ink = extractInk(g.a, g.h, g.w);
    const digit = ink && centerDigit(ink, g.h, g.w);
    if (!digit) return null;
    return Uint8Array.from(digit, (v) => Math.floor(Math.min(Math.max(v, 0), 1) * 255 + 0.5));
  }

  // 与 lenet.data.normalize 相同：(x − 127.5) / 127.5，背景 −1、墨水 +1
  function normalize(u8) {
    return Float64Array.from(u8, (v) => Math.fround((Math.fround(v) - 127.5) / 127.5));
  }

  global.LeNetPreprocess = {
    loadGray, otsuThreshold, percentile, median, flattenLighting, labelBlobs, extractInk,
    boxSize, areaResize, centerOfMass, centerDigit, preprocess, normalize,
  };
})(window);
