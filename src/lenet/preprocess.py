"""把任意一张手写数字图片变成 MNIST 那样的 28×28 输入——按 MNIST 本身的做法。

MNIST 的数字原本是扫描的黑白笔迹：先把笔迹按比例缩放到 20×20 的框里（长边 20 像素，
缩放时的抗锯齿产生灰度），再放进 28×28 的画布，使笔迹的**质心**落在画布中央。
一张手机照片还多几步：读文件、转灰度、判断“深色字浅色纸”并反相、压掉背景和噪点。

完整流程（:func:`preprocess`，每一步的中间结果见 :func:`preprocess_steps`）：

1. :func:`load_gray` 用 Pillow 读文件（PNG/JPEG/BMP/…；RGB、RGBA、灰度、16 位），按 EXIF 方向摆正，
   过大的图先缩小到长边不超过 :data:`MAX_SIDE`（JPEG 在解码时就缩小，内存有界），转成 0（黑）..1（白）的灰度。
2. :func:`extract_ink` 得到“笔迹强度”图（1 = 墨水，0 = 背景），见它的说明：判断极性、
   浅色纸时拉平不均匀的光照、Otsu 阈值、去掉小噪点块。
3. :func:`center_digit` （纯 NumPy，几何核心）：裁到笔迹的外接框，长边缩放到 20 像素，
   按质心贴进 28×28。
4. 乘 255 取整成 uint8，与 MNIST 文件里的像素相同；送进网络前再用 :func:`lenet.data.normalize`
   做课程的归一化（与 ``Normalize(mean=127.5, std=127.5)`` 相同）。

出错（不是图片、文件损坏、空白图）时抛出 :class:`ImageError`，中英文说明是哪个文件、怎样修复。
本模块只依赖 NumPy 和 Pillow，不导入 Paddle（:func:`classify` 用到网络时才导入）。
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SIDE = 28  # 画布边长（MNIST）
BOX = 20  # 笔迹外接框的长边缩放到的像素数（MNIST）
CENTER = 14.0  # 质心放到的位置（行、列下标）：MNIST 测试集质心的平均值是 (13.99, 14.01)
MAX_SIDE = 1024  # 读入后长边超过它就先缩小（足够给 20 像素的框用，内存有界）
MIN_BLOB_FRACTION = 0.05  # 笔迹块的墨水量不到最大块的 5% 就当作噪点去掉
# 墨水与背景两类的平均值至少差这么多，否则认为是空白图（只有噪声、渐变）。仿照片的数字 ≥ 0.44，
# 噪声标准差 6% 的空白纸 ≤ 0.15（在 1000 张仿照片上测得）
MIN_CONTRAST = 0.25

PATH_HINT = (
    "修复方法：检查文件名和路径（相对路径从当前目录算起）；在 AI Studio 上先把图片上传到笔记本所在的目录。\n"
    "Fix: check the file name and path (relative paths start at the current directory)."
)
FIX_HINT = (
    "修复方法：换一张只包含一个手写数字的图片（PNG、JPEG 或 BMP），数字清楚、与背景对比明显、"
    "尽量占画面的一部分而不是一个小点。\n"
    "Fix: use an image (PNG, JPEG or BMP) that shows one clearly written digit with good contrast "
    "against the background."
)


class ImageError(ValueError):
    """图片无法作为一个手写数字使用。信息中英文双语，指明文件和修复方法。"""

    def __init__(self, path, zh: str, en: str, hint: str = FIX_HINT):
        self.path = None if path is None else Path(path)
        where = "" if self.path is None else f"：{self.path}"
        where_en = "" if self.path is None else f": {self.path}"
        super().__init__(f"{zh}{where}\n{en}{where_en}\n{hint}")


# ---------------------------------------------------------------- 1. 读文件


def load_gray(source, max_side: int = MAX_SIDE) -> np.ndarray:
    """读一张图片，返回灰度 float64 数组 (H, W)，0 = 黑，1 = 白。

    ``source`` 可以是文件路径、``PIL.Image.Image``，或已经在内存里的数组
    （2 维灰度或 H×W×3/4 的 RGB(A)；uint8 按 0..255，uint16 按 0..65535，浮点数按 0..1）。
    透明（RGBA、带透明色的调色板图）合成到白纸上；彩色按 ITU-R 601 加权
    （0.299 R + 0.587 G + 0.114 B）转灰度；长边超过 ``max_side`` 时先按面积平均缩小。
    """
    if isinstance(source, np.ndarray):
        return _downscale(_array_to_gray(source), max_side)
    from PIL import Image

    if isinstance(source, Image.Image):
        return _image_to_gray(source, max_side)
    path = Path(source)
    if not path.exists():
        raise ImageError(path, "找不到图片文件", "image file not found", PATH_HINT)
    if not path.is_file():
        raise ImageError(path, "这不是一个文件（是目录？）", "not a file (a directory?)", PATH_HINT)
    try:
        with Image.open(path) as img:
            return _image_to_gray(img, max_side)
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(
            path, f"图片像素太多，拒绝解码（{exc}）", "image has too many pixels to decode safely"
        ) from exc
    except Image.UnidentifiedImageError as exc:
        raise ImageError(path, "不是 Pillow 能识别的图片文件", "not an image file Pillow can read") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # 截断、损坏的图片
        raise ImageError(path, f"图片文件损坏或不完整（{exc}）", "image file is truncated or corrupt") from exc


def _image_to_gray(img, max_side: int) -> np.ndarray:
    from PIL import Image, ImageOps

    if img.format == "JPEG":  # 解码时直接按 1/2、1/4、1/8 缩小：大照片不必整张解码
        img.draft("RGB" if img.mode != "L" else "L", (max_side, max_side))
    img.load()  # 截断的文件在这里报错
    img = ImageOps.exif_transpose(img)  # 手机照片的方向
    mode = img.mode
    if mode.startswith("I;16") or mode in ("I", "F"):  # 16 位灰度（按 0..65535）或浮点灰度
        img = img.convert("I") if mode.startswith("I;16") else img
        if max(img.size) > max_side:  # 先在 Pillow 里缩小，再变成 float64 数组：内存有界
            img.thumbnail((max_side, max_side), Image.Resampling.BOX)
        if mode == "F":
            return _array_to_gray(np.asarray(img, dtype=np.float64))
        return np.clip(np.asarray(img).astype(np.float64) / 65535.0, 0.0, 1.0)
    has_alpha = mode in ("RGBA", "LA", "PA") or (mode in ("P", "L", "RGB") and "transparency" in img.info)
    img = img.convert("RGBA" if has_alpha else "RGB")
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.BOX)
    return _array_to_gray(np.asarray(img))


def _array_to_gray(arr: np.ndarray) -> np.ndarray:
    if arr.dtype == np.uint8:
        a = arr.astype(np.float64) / 255.0
    elif arr.dtype == np.uint16:
        a = arr.astype(np.float64) / 65535.0
    elif np.issubdtype(arr.dtype, np.floating) or arr.dtype == bool:
        a = arr.astype(np.float64)
    else:
        raise ImageError(None, f"不支持的数组类型 {arr.dtype}", f"unsupported array dtype {arr.dtype}")
    if a.ndim == 3 and a.shape[2] in (3, 4):
        rgb = a[..., :3] @ np.array([0.299, 0.587, 0.114])
        if a.shape[2] == 4:  # 透明部分合成到白纸上
            alpha = a[..., 3]
            rgb = rgb * alpha + (1.0 - alpha)
        a = rgb
    if a.ndim != 2:
        raise ImageError(None, f"数组形状 {arr.shape} 不是一张图", f"array of shape {arr.shape} is not an image")
    return np.clip(a, 0.0, 1.0)


def _downscale(gray: np.ndarray, max_side: int) -> np.ndarray:
    h, w = gray.shape
    if max(h, w) <= max_side:
        return gray
    nh, nw = box_size(h, w, max_side)
    return area_resize(gray, nh, nw)


# ---------------------------------------------------------------- 2. 笔迹


def otsu_threshold(values: np.ndarray, bins: int = 256) -> float:
    """Otsu 阈值：把 [0, 1] 上的值分成两类、使类间方差 w₀w₁(μ₁ − μ₀)² 最大的切分点。

    值按 ``bins`` 个等宽格统计直方图；返回格的上边界，值 > 阈值的属于亮的一类。
    """
    v = np.clip(np.asarray(values, dtype=np.float64).ravel(), 0.0, 1.0)
    hist = np.bincount(np.minimum((v * bins).astype(np.int64), bins - 1), minlength=bins).astype(np.float64)
    p = hist / hist.sum()
    centers = (np.arange(bins) + 0.5) / bins
    w0 = np.cumsum(p)  # 下标 ≤ k 的一类
    m0 = np.cumsum(p * centers)
    mu = m0[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu * w0 - m0) ** 2 / (w0 * (1.0 - w0))
    between[~np.isfinite(between)] = 0.0
    return (int(np.argmax(between)) + 1) / bins


def _border(a: np.ndarray) -> np.ndarray:
    """图像最外一圈（宽度为短边的 2%，至少 1 像素）的全部像素。"""
    b = max(1, min(a.shape) // 50)
    return np.concatenate([a[:b].ravel(), a[-b:].ravel(), a[b:-b, :b].ravel(), a[b:-b, -b:].ravel()])


def _interp_matrix(n: int, block: int, blocks: int) -> np.ndarray:
    """n × blocks 的线性插值权重：像素 y 在第 i 块中心 (i + 0.5)·block − 0.5 之间线性插值，两端外推为常数。"""
    u = np.clip((np.arange(n) + 0.5) / block - 0.5, 0, blocks - 1)
    i0 = np.minimum(np.floor(u).astype(int), blocks - 2) if blocks > 1 else np.zeros(n, int)
    frac = u - i0
    m = np.zeros((n, blocks))
    m[np.arange(n), i0] = 1 - frac
    if blocks > 1:
        m[np.arange(n), i0 + 1] += frac
    return m


def _flatten_lighting(gray: np.ndarray, blocks: int = 8) -> np.ndarray:
    """浅色纸上的照片：估计每处纸的亮度，除掉它，让不均匀的光照（阴影、暗角）变平。

    把图分成 blocks×blocks 个等大的块（除不尽的最后几行几列不参与估计），每块取 90% 分位数
    （纸比墨水多、也比墨水亮），再取 3×3 邻块的最大值（一块几乎全是墨水时借用邻块的纸），
    在块中心之间双线性插值回原尺寸。返回 gray / 纸的亮度（纸 ≈ 1），截到 [0, 1]。
    """
    h, w = gray.shape
    blocks = max(1, min(blocks, h, w))
    bh, bw = h // blocks, w // blocks
    tiles = gray[: bh * blocks, : bw * blocks].reshape(blocks, bh, blocks, bw).transpose(0, 2, 1, 3)
    grid = np.percentile(tiles.reshape(blocks, blocks, -1), 90, axis=-1)
    padded = np.pad(grid, 1, mode="edge")
    grid = np.max([padded[dy : dy + blocks, dx : dx + blocks] for dy in range(3) for dx in range(3)], axis=0)
    paper = _interp_matrix(h, bh, blocks) @ grid @ _interp_matrix(w, bw, blocks).T
    return np.clip(gray / np.maximum(paper, 1e-3), 0.0, 1.0)


def _box3(a: np.ndarray) -> np.ndarray:
    """3×3 平均（边缘按最近的像素延伸）。"""
    p = np.pad(a, 1, mode="edge")
    h, w = a.shape
    return sum(p[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)) / 9.0


def _dilate(mask: np.ndarray) -> np.ndarray:
    """3×3 膨胀（8 邻域）。"""
    p = np.pad(mask, 1)
    h, w = mask.shape
    return np.any([p[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)], axis=0)


def label_blobs(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """8 邻域连通块标记：返回 (标签图，0 为背景、1..n 为各块；块数 n)。

    逐行找出连续的 True 段，相邻两行中位置重叠或对角相接的段合并（并查集），只循环“段”不循环像素。
    """
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    run_rows, run_starts = np.nonzero(d == 1)  # 按行、再按列排好序；起点与终点一一对应
    run_ends = np.nonzero(d == -1)[1]  # 不含端点
    bounds = np.searchsorted(run_rows, np.arange(h + 1))
    starts = [run_starts[bounds[r] : bounds[r + 1]].tolist() for r in range(h)]
    ends = [run_ends[bounds[r] : bounds[r + 1]].tolist() for r in range(h)]
    parent: list[int] = []

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    run_ids, prev = [], []
    for r in range(h):
        cur = []
        for s, e in zip(starts[r], ends[r]):
            rid = len(parent)
            parent.append(rid)
            for ps, pe, pid in prev:  # 上一行与 [s-1, e] 相交的段（8 邻域）
                if ps <= e and pe >= s:
                    a, b = find(rid), find(pid)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
            cur.append((s, e, rid))
        run_ids.append(cur)
        prev = cur
    roots = {}
    labels = np.zeros((h, w), dtype=np.int32)
    for r in range(h):
        for s, e, rid in run_ids[r]:
            labels[r, s:e] = roots.setdefault(find(rid), len(roots) + 1)
    return labels, len(roots)


def extract_ink(gray: np.ndarray, path=None) -> tuple[np.ndarray, dict]:
    """灰度图 → 笔迹强度图 ``ink``（float64，1 = 墨水，0 = 背景），以及记录各步决定的 ``info``。

    1. **极性**：Otsu 把像素分成亮暗两类；图像最外一圈的中位数属于亮的一类，说明背景是浅色纸、
       字是深色的（照片、扫描件），要反相；否则是 MNIST 那样的浅色字深色背景，不反相。
    2. 浅色纸时先用 :func:`_flatten_lighting` 除掉纸的亮度（不均匀光照），再反相：``v = 1 − gray/纸``。
    3. **阈值**：v 先做 3×3 平均（噪声减弱，几像素宽的笔画基本不变；否则墨水只占画面 1% 时
       Otsu 会切在噪声里），再求 Otsu 阈值，以上的像素是墨水候选。
       **空白检查**：墨水与背景两类的平均值相差不到 :data:`MIN_CONTRAST`（只有噪声或光照渐变），
       抛出 :class:`ImageError`。
    4. **噪点**：墨水候选按 8 邻域分成连通块（:func:`label_blobs`）。
       **多个块时：保留墨水量不少于最大块 5%（:data:`MIN_BLOB_FRACTION`）的全部块**
       ——同一个数字断开的几笔（如 5 的横、4 的竖）都保留，灰尘、噪点这样的小块去掉。
       因此图里应当只有一个数字：两个数字会被合在一起。
    5. **强度**：``ink = clip((v − b) / (p − b), 0, 1)``，b 是背景类的 90% 分位数，p 是笔画内部
       （平滑前后都在阈值以上）的中位数，
       只保留在保留块 3×3 邻域内的像素——笔画边缘的过渡灰度留着（MNIST 本身也有），远处的噪声归零。
    """
    gray = np.asarray(gray, dtype=np.float64)
    if gray.ndim != 2 or gray.size == 0:
        raise ImageError(
            path, f"不是二维灰度图（形状 {gray.shape}）", f"not a 2-D grayscale image (shape {gray.shape})"
        )
    t = otsu_threshold(gray)
    invert = bool(np.median(_border(gray)) > t)
    v = 1.0 - _flatten_lighting(gray) if invert else gray
    smooth = _box3(v)  # 3×3 平均：噪声的标准差降到约 1/3，几像素宽的笔画基本不变
    t = otsu_threshold(smooth)
    fg = smooth > t
    contrast = float(v[fg].mean() - v[~fg].mean()) if fg.any() and (~fg).any() else 0.0
    if contrast < MIN_CONTRAST:
        raise ImageError(
            path,
            f"图中找不到笔迹：图像几乎是空白或只有噪声（墨水与背景的对比度 {contrast:.2f} < {MIN_CONTRAST}）",
            f"no ink found: the image is blank or only noise (ink/background contrast {contrast:.2f} < {MIN_CONTRAST})",
        )
    labels, n = label_blobs(fg)
    mass = np.bincount(labels.ravel(), weights=v.ravel(), minlength=n + 1)[1:]
    keep_ids = np.flatnonzero(mass >= MIN_BLOB_FRACTION * mass.max()) + 1
    keep = np.isin(labels, keep_ids)
    b = float(np.percentile(v[~fg], 90))
    core = fg & (v > t)  # 平滑前后都在阈值以上：笔画内部
    p = float(np.median(v[core])) if core.any() else float(np.median(v[fg]))
    ink = np.clip((v - b) / max(p - b, 1e-6), 0.0, 1.0) * _dilate(keep)
    info = {
        "inverted": invert,
        "threshold": t,
        "contrast": contrast,
        "blobs": n,
        "blobs_kept": len(keep_ids),
        "signal": v,
        "mask": keep,
    }
    return ink, info


# ---------------------------------------------------------------- 3. 几何核心（纯 NumPy）


def round_half_up(x: float) -> int:
    """四舍五入（.5 向上，即 ⌊x + 0.5⌋），与 JavaScript 的 Math.round 相同；不用 Python 的银行家舍入。"""
    return int(np.floor(x + 0.5))


def box_size(h: int, w: int, box: int = BOX) -> tuple[int, int]:
    """长边缩放到 ``box`` 像素、保持宽高比后的 (高, 宽)：长边 = box，短边 = max(1, ⌊短边·box/长边 + 0.5⌋)。

    用整数运算，结果与浮点误差无关：⌊n·box/m + 1/2⌋ = (2·n·box + m) // (2·m)。
    """
    m = max(h, w)
    return max(1, (2 * h * box + m) // (2 * m)), max(1, (2 * w * box + m) // (2 * m))


def _area_matrix(n_in: int, n_out: int) -> np.ndarray:
    """n_out × n_in 的面积平均权重：输出格 i 覆盖输入区间 [i·s, (i+1)·s)，s = n_in / n_out，
    权重 = 该区间与输入像素 [k, k+1) 的重叠长度 / s（每行之和为 1）。

    坐标都乘以 n_out 后是整数：区间 [i·n_in, (i+1)·n_in) 与 [k·n_out, (k+1)·n_out) 的重叠是整数，
    权重 = 整数重叠 / n_in，没有累积的舍入误差。
    """
    lo = np.arange(n_out)[:, None] * n_in
    k = np.arange(n_in)[None, :] * n_out
    overlap = np.clip(np.minimum(lo + n_in, k + n_out) - np.maximum(lo, k), 0, None)
    return overlap / n_in


def area_resize(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """面积平均缩放（box 滤波，可分离）：``R_y @ image @ R_xᵀ``，R 见 :func:`_area_matrix`。

    缩小时每个输出像素是它覆盖的输入区域的平均值（与 MNIST 一样的抗锯齿）；
    放大时等价于按覆盖比例取最近的输入像素。总墨水量按面积守恒。
    """
    image = np.asarray(image, dtype=np.float64)
    return _area_matrix(image.shape[0], out_h) @ image @ _area_matrix(image.shape[1], out_w).T


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """质心（行, 列），以像素下标为坐标（第 i 行像素的位置是 i）。"""
    image = np.asarray(image, dtype=np.float64)
    total = image.sum()
    cy = float((image.sum(axis=1) * np.arange(image.shape[0])).sum() / total)
    cx = float((image.sum(axis=0) * np.arange(image.shape[1])).sum() / total)
    return cy, cx


def center_digit(ink: np.ndarray, side: int = SIDE, box: int = BOX, center: float = CENTER) -> np.ndarray:
    """几何核心：笔迹强度图（任意大小，值在 [0, 1]，1 = 墨水）→ MNIST 式的 side×side 图（float64，[0, 1]）。

    只用 NumPy 和下面写明的算术，不调用任何图像库的缩放，方便逐步移植（例如到 JavaScript）：

    1. **外接框**：含有 ``ink > 0`` 像素的第一行 r0、最后一行 r1、第一列 c0、最后一列 c1；
       一个都没有时抛出 :class:`ImageError`。裁出 ``crop = ink[r0:r1+1, c0:c1+1]``，高 h、宽 w。
    2. **尺寸**：``(nh, nw) = box_size(h, w, box)``：长边 = box（20），
       短边 = max(1, (2·短边·box + 长边) // (2·长边))（整数运算的四舍五入）。
    3. **面积平均缩放**到 nh×nw：输出第 i 行覆盖输入行区间 [i·h/nh, (i+1)·h/nh)，
       它对输入第 k 行的权重 = 区间与 [k, k+1) 的重叠长度 ÷ (h/nh)；列同理；
       ``small = Ry @ crop @ Rxᵀ``（先按行、再按列，两次加权平均）。
    4. **质心**：``cy = Σ_i i·rowsum_i / Σ small``，``cx`` 同理（坐标是像素下标，从 0 开始）。
    5. **整数平移**：左上角放在 ``oy = ⌊center − cy + 0.5⌋``、``ox = ⌊center − cx + 0.5⌋``
       （center = 14：MNIST 测试集质心的平均位置），再限制到 [0, side − nh] 和 [0, side − nw]，
       保证整个数字留在画布里。
    6. 在全零的 side×side 画布上 ``out[oy:oy+nh, ox:ox+nw] = small``，返回。
    """
    return center_digit_steps(ink, side, box, center)["out"]


def center_digit_steps(ink: np.ndarray, side: int = SIDE, box: int = BOX, center: float = CENTER) -> dict:
    """:func:`center_digit` 的每一步：``bbox`` (r0, r1, c0, c1)、``crop``、``small``（nh×nw）、
    ``com``（small 的质心）、``offset`` (oy, ox)、``out``（side×side）。"""
    ink = np.asarray(ink, dtype=np.float64)
    if ink.ndim != 2:
        raise ImageError(None, f"笔迹图应为二维，得到形状 {ink.shape}", f"ink must be 2-D, got shape {ink.shape}")
    rows = np.flatnonzero((ink > 0).any(axis=1))
    cols = np.flatnonzero((ink > 0).any(axis=0))
    if rows.size == 0:
        raise ImageError(None, "图中没有笔迹（全部为 0）", "no ink in the image (all zeros)")
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    nh, nw = box_size(*crop.shape, box)
    small = area_resize(crop, nh, nw)
    cy, cx = center_of_mass(small)
    oy = min(max(round_half_up(center - cy), 0), side - nh)
    ox = min(max(round_half_up(center - cx), 0), side - nw)
    out = np.zeros((side, side), dtype=np.float64)
    out[oy : oy + nh, ox : ox + nw] = small
    return {
        "bbox": (int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])),
        "crop": crop,
        "small": small,
        "com": (cy, cx),
        "offset": (oy, ox),
        "out": out,
    }


# ---------------------------------------------------------------- 4. 整条流水线


def to_uint8(image: np.ndarray) -> np.ndarray:
    """[0, 1] 的浮点图 → 0..255 的 uint8（四舍五入），与 MNIST 文件中的像素同一种格式。"""
    return np.floor(np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def preprocess_steps(source, max_side: int = MAX_SIDE) -> dict:
    """整条流水线，返回每一步的中间结果（画图用）：

    ``gray``（读入的灰度）、``signal``（判断极性、拉平光照之后，墨水为亮）、``mask``（阈值并去掉噪点块后
    保留的墨水像素）、``ink``（笔迹强度）、``bbox``（外接框 r0, r1, c0, c1）、``crop``（裁出的笔迹）、
    ``small``（长边缩放到 20 像素）、``offset``（贴进 28×28 时左上角的位置）、``result``（28×28 uint8，
    即 :func:`preprocess` 的结果），以及 ``info``（是否反相、阈值、连通块数等）。
    """
    path = source if isinstance(source, (str, Path)) else None
    gray = load_gray(source, max_side)
    ink, info = extract_ink(gray, path=path)
    geometry = center_digit_steps(ink)
    return {
        "gray": gray,
        "signal": info.pop("signal"),
        "mask": info.pop("mask"),
        "ink": ink,
        "bbox": geometry["bbox"],
        "crop": geometry["crop"],
        "small": geometry["small"],
        "offset": geometry["offset"],
        "result": to_uint8(geometry["out"]),
        "info": info,
    }


def preprocess(source, max_side: int = MAX_SIDE) -> np.ndarray:
    """一张手写数字图片（路径、PIL 图像或数组）→ MNIST 式的 28×28 uint8 图（0 = 背景，255 = 墨水）。

    结果与 :func:`lenet.data.load_numpy` 给出的 MNIST 图像同一种格式，可以直接送进
    :func:`lenet.train.predict_logits`，或用 :func:`lenet.data.normalize` 归一化后送进网络。
    """
    return preprocess_steps(source, max_side)["result"]


def load_images(sources, max_side: int = MAX_SIDE) -> np.ndarray:
    """多张图片 → (N, 28, 28) uint8。任何一张有问题都抛出指明那个文件的 :class:`ImageError`。"""
    return np.stack([preprocess(s, max_side) for s in sources]) if len(sources) else np.zeros((0, SIDE, SIDE), np.uint8)


def softmax(logits: np.ndarray) -> np.ndarray:
    """按行的 softmax（减去最大值防止溢出）。"""
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def classify(network, sources, images: np.ndarray | None = None) -> list[dict]:
    """用网络识别若干张图片：每张返回 ``{"file", "digit", "probability", "probabilities"}``。

    ``images`` 是已经预处理好的 (N, 28, 28) uint8（例如先用 :func:`load_images` 检查了文件）；不给就现做。
    """
    from .train import predict_logits

    sources = list(sources)
    images = load_images(sources) if images is None else images
    probs = softmax(predict_logits(network, images)) if len(images) else np.zeros((0, 10))
    return [
        {
            "file": str(s),
            "digit": int(p.argmax()),
            "probability": float(p.max()),
            "probabilities": [float(x) for x in p],
        }
        for s, p in zip(sources, probs)
    ]


# ---------------------------------------------------------------- 仿“手机照片”（测试与示例图）


def photo_like(
    digit: np.ndarray,
    rng: np.random.Generator,
    size: tuple[int, int] = (160, 200),
    digit_fraction: tuple[float, float] = (0.35, 0.7),
    noise: float = 0.03,
) -> np.ndarray:
    """把一张 MNIST 数字（28×28 uint8，浅色字黑底）做成像手机拍的纸上手写：返回 H×W×3 uint8 RGB。

    随机地：数字放大到短边的 ``digit_fraction`` 倍并偏离中心；深色墨水（灰度 0.1–0.3、略带蓝色）
    写在米白色的纸上（0.8–0.95）；一个方向随机的光照渐变（一侧暗到 70%–90%）；高斯噪声。
    用来检验 :func:`preprocess`（已知正确答案）和生成书里的示例图片，不参与预处理本身。
    """
    from PIL import Image

    h, w = size
    side = int(min(h, w) * rng.uniform(*digit_fraction))
    big = np.asarray(Image.fromarray(np.asarray(digit, np.uint8)).resize((side, side), Image.Resampling.BICUBIC))
    alpha = np.clip(big.astype(np.float64) / 255.0, 0.0, 1.0)
    top = int(rng.integers(0, h - side + 1))
    left = int(rng.integers(0, w - side + 1))
    a = np.zeros((h, w))
    a[top : top + side, left : left + side] = alpha
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * yy + np.sin(angle) * xx
    ramp = (ramp - ramp.min()) / max(ramp.max() - ramp.min(), 1e-9)
    light = 1.0 - rng.uniform(0.1, 0.3) * ramp
    paper = rng.uniform(0.8, 0.95) * np.array([1.0, 0.98, 0.93])  # 米白：偏暖
    ink = rng.uniform(0.1, 0.3) * np.array([0.9, 0.95, 1.1])  # 墨水略带蓝
    img = (paper * (1 - a[..., None]) + ink * a[..., None]) * light[..., None]
    img = img + rng.normal(0.0, noise, size=(h, w, 1))
    return to_uint8(img)
