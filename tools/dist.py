"""离线发布包：把 HTML 书、幻灯片（含 PDF）、整本书的 PDF、各章笔记本、src/、依赖清单和说明打成一个 zip。

用法（make dist 会先构建书、PDF 和幻灯片，再调用本脚本）：
    python tools/dist.py [--out _build/dist]

生成 _build/dist/lenet-course-<版本>.zip（版本只有一个来源：lenet.__version__）和旁边的 SHA256SUMS；
zip 里另有一份 SHA256SUMS，逐个文件校验。测试过的 Paddle 版本从测试环境（.venv、.venv-paddle26）
里 pip 安装记录读出，不手写。
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import html
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
NAME = "lenet-course"
GUIDE = "离线使用说明.html"
TEST_ENVS = {".venv": "make test", ".venv-paddle26": "make test-compat"}
# (仓库或构建目录中的来源, 包内位置)
TREES = [("_build/html", "book"), ("_build/slides", "slides"), ("notebooks", "notebooks"), ("src/lenet", "src/lenet")]
FILES = ["README.md", "LICENSE", "pyproject.toml", "requirements.txt", "requirements-paddle26.txt"]
SKIP = re.compile(r"(^|/)(__pycache__|\.ipynb_checkpoints|\.buildinfo|\.DS_Store)(/|$)|\.pyc$")
REQUIRED = ["_build/html/index.html", "_build/html/lenet-book.pdf", "_build/slides/index.html"]


def version() -> str:
    """src/lenet/__init__.py 里的 __version__（pyproject.toml 也从这里读）。"""
    tree = ast.parse((ROOT / "src" / "lenet" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("src/lenet/__init__.py 没有 __version__")


def tested_paddle() -> list[dict]:
    """各测试环境里实际安装的 Paddle 与 Python 版本（pip 的 dist-info 元数据、pyvenv.cfg）。"""
    found = []
    for env, command in TEST_ENVS.items():
        for meta in sorted((ROOT / env).glob("lib/python*/site-packages/paddlepaddle*.dist-info/METADATA")):
            fields = dict(re.findall(r"^(Name|Version): (.+)$", meta.read_text(encoding="utf-8"), re.M))
            cfg = (ROOT / env / "pyvenv.cfg").read_text(encoding="utf-8")
            python = re.search(r"^version(?:_info)?\s*=\s*(\S+)", cfg, re.M)
            found.append(
                {
                    "env": env,
                    "command": command,
                    "package": fields["Name"],
                    "version": fields["Version"],
                    "python": python.group(1) if python else "?",
                }
            )
    return found


def guide_page(ver: str, paddle: list[dict]) -> str:
    rows = "\n".join(
        f"<tr><td>{html.escape(p['package'])} {html.escape(p['version'])}</td><td>Python {html.escape(p['python'])}"
        f"</td><td><code>{html.escape(p['command'])}</code>（环境 <code>{html.escape(p['env'])}</code>）</td></tr>"
        for p in paddle
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>离线使用说明 · LeNet-5 手写数字识别 {ver}</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:46em;margin:2em auto;
padding:0 1em;line-height:1.7;color:#222}}code{{background:#f3f3f3;padding:0 .2em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .6em}}
pre{{background:#f3f3f3;padding:.6em}}</style>
</head><body>
<h1>离线使用说明</h1>
<p>这是课程《LeNet-5 手写数字识别》{ver} 版的离线包：不联网也能读书、放幻灯片、打印讲义。</p>
<h2>包里有什么</h2>
<ul>
<li><a href="book/index.html">HTML 书</a>（<code>book/</code>）：双击 <code>book/index.html</code>
即可阅读，公式和图都在本地；</li>
<li><a href="book/lenet-book.pdf">整本书的 PDF</a>（<code>book/lenet-book.pdf</code>，A4，可打印）；</li>
<li><a href="slides/index.html">各章幻灯片</a>（<code>slides/</code>，reveal.js，按 S 打开讲者备注；
每章另有 PDF）；</li>
<li><code>notebooks/</code>：各章的 Jupyter 笔记本（不含输出）；<code>src/lenet/</code>：各章共用的代码；</li>
<li><code>README.md</code>、<code>requirements.txt</code>、<code>requirements-paddle26.txt</code>、
<code>pyproject.toml</code>、
<code>LICENSE</code>；<code>SHA256SUMS</code>：每个文件的校验和。</li>
</ul>
<h2>复制后先校验</h2>
<pre>cd {NAME}-{ver}
sha256sum -c SHA256SUMS --quiet   # 没有输出就是全部完好</pre>
<h2>运行各章</h2>
<p>笔记本要和 <code>src/</code> 放在一起：从本包的 <code>notebooks/</code> 里打开一章（单独拷走一章会提示缺少 lenet）。
需要 Python 3.9 或更新版本和 PaddlePaddle（2.6.2 ～ 3.x）；在能联网的机器上装好后再带到教室：</p>
<pre>pip install -r requirements.txt   # 在本包根目录运行；AI Studio 已预装 Paddle，不要在那里运行
jupyter notebook notebooks/</pre>
<p>MNIST 数据不在包里（约 11 MB，CC BY-SA 3.0）：把四个 <code>*-ubyte.gz</code> 文件放进一个文件夹，
设置环境变量 <code>LENET_DATA_DIR</code> 指向它；详见 README 的“数据：在线与离线”。</p>
<h2>测试过的 Paddle 版本</h2>
<p>打包时从测试环境的安装记录读出：</p>
<table><tr><th>Paddle</th><th>Python</th><th>测试命令</th></tr>
{rows}
</table>
</body></html>
"""


def collect() -> list[tuple[Path, str]]:
    items = []
    for src, dest in TREES:
        base = ROOT / src
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(base).as_posix()
            if path.is_file() and not SKIP.search(rel):
                items.append((path, f"{dest}/{rel}"))
    items += [(ROOT / f, f) for f in FILES]
    return items


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=BUILD / "dist")
    args = ap.parse_args()
    missing = [p for p in REQUIRED if not (ROOT / p).exists()]
    if missing:
        sys.exit(f"缺少构建结果 / missing build output: {missing}（先 make book pdf slides）")
    paddle = tested_paddle()
    if not paddle:
        sys.exit("没有找到测试环境里的 Paddle（.venv、.venv-paddle26）：先 make venv venv-compat")
    ver = version()
    top = f"{NAME}-{ver}"
    args.out.mkdir(parents=True, exist_ok=True)
    zip_path = args.out / f"{top}.zip"
    sums = []
    tmp = zip_path.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        entries = [(p.read_bytes(), name) for p, name in collect()]
        entries.append((guide_page(ver, paddle).encode("utf-8"), GUIDE))
        for data, name in entries:
            zf.writestr(f"{top}/{name}", data)
            sums.append(f"{sha256(data)}  {name}")
        zf.writestr(f"{top}/SHA256SUMS", "\n".join(sums) + "\n")
    tmp.replace(zip_path)
    (args.out / "SHA256SUMS").write_text(f"{sha256(zip_path.read_bytes())}  {zip_path.name}\n", encoding="utf-8")
    tested = ", ".join(f"{p['package']} {p['version']}" for p in paddle)
    print(
        f"[dist] {zip_path.relative_to(ROOT)}: {len(sums)} 个文件, {zip_path.stat().st_size / 1e6:.1f} MB; "
        f"测试过的 Paddle: {tested}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
