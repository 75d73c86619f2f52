"""命令行：``python -m lenet``（或安装后的 ``lenet``）。只做参数解析和输出，具体工作交给包里的函数。

子命令：train（训练）、evaluate（评估）、predict（识别图片）、export（导出部署模型）、warm（课前预热模型缓存）。
任何出错都只打印一条中英文说明并以非零状态退出，不打印 Python 调用栈。
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict, replace
from pathlib import Path

EXIT_ERROR = 1

RECIPES = {
    "fast": "lenet.recipe.FAST：ReLU + AdamW + OneCycle + 数据增强，批大小 128，5 轮，约 99.3%（书里部署的模型）",
    "best": "lenet.recipe.BEST：同样的做法，批大小 256，10 轮，约 99.4%（训练时间约是 fast 的两倍）",
    "original": "lenet.train.ORIGINAL_CONFIG：原笔记本的配置（Sigmoid、Adam、批大小 64、5 轮；"
    "最后 5,000 张训练图留作验证），约 98%",
}


class CLIError(Exception):
    """命令行能预见的错误：信息已经是给读者看的双语文字。"""


def _config(name: str):
    from . import recipe, train

    return {"fast": recipe.FAST, "best": recipe.BEST, "original": train.ORIGINAL_CONFIG}[name]


# ---------------------------------------------------------------- 参数


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法 / usage: " if prefix is None else prefix)


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数错误 / error: {message}\n（-h 查看帮助 / see -h）\n")


def _parser(**kw) -> argparse.ArgumentParser:
    """中文的帮助标题；选项名保持英文。"""
    p = _ArgumentParser(formatter_class=_Formatter, add_help=False, **kw)
    p._positionals.title = "位置参数"
    p._optionals.title = "选项"
    p.add_argument("-h", "--help", action="help", help="显示这段帮助并退出")
    return p


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        help="MNIST 四个 .gz 文件所在目录（默认：环境变量 LENET_DATA_DIR，再找 Paddle 缓存，最后下载）",
    )
    common.add_argument(
        "--cache-dir", metavar="DIR", help="模型缓存目录（默认：环境变量 LENET_CACHE_DIR 或 ~/.cache/lenet）"
    )

    model = argparse.ArgumentParser(add_help=False)
    group = model.add_mutually_exclusive_group()
    group.add_argument(
        "--model",
        metavar="PATH",
        help="训练结果目录（train --out 写的）或其中的 model.pdparams；不给就用缓存里 --recipe 的模型",
    )
    group.add_argument(
        "--recipe", choices=sorted(RECIPES), default="fast", help="用模型缓存里哪个配置训练好的模型（默认 fast）"
    )

    parser = _parser(
        prog="lenet",
        description="LeNet-5 手写数字识别（PaddlePaddle）：训练、评估、识别你自己的图片、导出部署模型。",
        epilog="示例：lenet train --recipe fast；lenet predict 我的数字.jpg；lenet export --format onnx --out 导出目录",
    )
    parser.add_argument("--version", action="version", version=_version(), help="显示版本并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令", required=True, parser_class=_subparser)

    p = sub.add_parser(
        "train",
        parents=[common],
        help="训练一个 LeNet-5",
        description="训练一个 LeNet-5，写进模型缓存或 --out 目录。配置："
        + "；".join(f"{k} = {v}" for k, v in RECIPES.items()),
    )
    p.add_argument("--recipe", choices=sorted(RECIPES), default="fast", help="训练配置（默认 fast）")
    p.add_argument("--epochs", type=_positive, metavar="N", help="轮数（默认按配置）")
    p.add_argument("--seed", type=int, metavar="S", help="随机种子（默认按配置）")
    p.add_argument("--batch-size", type=_positive, metavar="B", help="批大小（默认按配置）")
    p.add_argument("--train-samples", type=_positive, metavar="N", help="只用前 N 张训练图（快速试验；不留验证集）")
    p.add_argument("--out", metavar="DIR", help="把模型写进这个目录；不给就写进模型缓存（已有就直接读取，不重复训练）")
    p.add_argument("--quiet", action="store_true", help="不显示训练进度")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "evaluate",
        parents=[common, model],
        help="在 10,000 张测试图上评估：准确率和平均损失",
        description="在 MNIST 测试集（10,000 张）上求准确率和平均交叉熵损失。",
    )
    p.add_argument("--confusion", action="store_true", help="同时打印混淆矩阵（行 = 真实数字，列 = 预测）")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "predict",
        parents=[common, model],
        help="识别图片里的手写数字",
        description="识别图片（PNG/JPEG/BMP）里的一个手写数字：预处理与书中“部署”一章相同"
        "（灰度、反相、阈值、裁剪、缩放到 20 像素、按质心居中）。",
    )
    p.add_argument("images", nargs="+", metavar="IMAGE", help="图片文件，可以给多个")
    p.add_argument("--json", action="store_true", help="输出 JSON（每张图：文件、数字、概率、10 个概率）")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser(
        "export",
        parents=[common, model],
        help="导出部署用的模型，并核对与原网络一致",
        description="导出静态图模型（paddle：paddle.jit.save，给 Paddle Inference 用）或 ONNX 模型"
        "（onnx：paddle2onnx，给 ONNX Runtime 用），在 10,000 张测试图上核对输出"
        "与原网络一致后才报告成功。",
    )
    p.add_argument("--format", choices=["paddle", "onnx"], default="paddle", help="导出格式（默认 paddle）")
    p.add_argument("--out", metavar="DIR", default="lenet-export", help="输出目录（默认 ./lenet-export）")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "warm",
        parents=[common],
        help="课前预热：执行每一章，训练各章用到的全部模型并存进模型缓存",
        description="在全新内核里按顺序执行每一章（工作目录 notebooks/），各章用到的模型都经模型缓存取得，"
        "所以执行一遍就训练好了全部模型；已在缓存里的直接读取。打印每章的用时。需要 nbclient（Jupyter 自带）。",
    )
    p.add_argument("--notebooks", metavar="DIR", help="各章笔记本所在目录（默认：仓库的 notebooks/）")
    p.set_defaults(func=cmd_warm)
    return parser


def _subparser(**kw) -> argparse.ArgumentParser:
    kw.pop("add_help", None)
    kw.pop("formatter_class", None)
    return _parser(**kw)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数 / must be a positive integer: {text!r}")
    return value


def _version() -> str:
    from . import __version__

    return f"lenet {__version__}"


# ---------------------------------------------------------------- 子命令


def _network(args):
    """--model 目录，或模型缓存里 --recipe 的模型；都没有时给出怎样得到它的说明。"""
    from . import cache, deploy

    if args.model:
        network, config = deploy.load_trained(args.model)
        return network, f"{args.model}（{config.get('activation', '?')}）"
    config = _config(args.recipe)
    entry = Path(args.cache_dir or cache.default_cache_dir()) / config.name()
    loaded = cache.load(entry, config.activation)
    if loaded is None:
        raise CLIError(
            f"模型缓存里还没有 {args.recipe} 配置训练好的模型：{entry}\n"
            f"no trained model for recipe {args.recipe!r} in the cache: {entry}\n"
            f"修复方法：先运行 `python -m lenet train --recipe {args.recipe}`，或用 --model 指定训练结果目录。\n"
            f"Fix: run `python -m lenet train --recipe {args.recipe}` first, or pass --model DIR."
        )
    return loaded[0], f"缓存 / cache: {entry.name}"


def cmd_train(args) -> int:
    from . import cache, deploy

    config = _config(args.recipe)
    changes = {
        k: v
        for k, v in (
            ("epochs", args.epochs),
            ("seed", args.seed),
            ("batch_size", args.batch_size),
            ("train_samples", args.train_samples),
        )
        if v is not None
    }
    if args.train_samples is not None and getattr(config, "holdout", 0):
        changes["holdout"] = 0  # 快速试验不留验证集（原笔记本的配置留 5,000 张，比少量训练图还多）
    config = replace(config, **changes)
    verbose = 0 if args.quiet else 1
    print(f"训练 / training: {args.recipe} {json.dumps(changes) if changes else ''}".rstrip(), flush=True)
    if args.out:
        network, history = config.run(verbose=verbose, data_dir=args.data_dir)
        where = deploy.save_trained(network, args.out, asdict(config), history)
    else:
        network, history, from_cache = cache.trained(
            config, verbose=verbose, data_dir=args.data_dir, cache_dir=args.cache_dir
        )
        where = Path(args.cache_dir or cache.default_cache_dir()) / config.name()
        if from_cache:
            print("缓存里已有这个配置训练好的模型，直接读取 / already in the cache, not retrained")
    if history and "val_acc" in history[-1]:
        print(f"验证集准确率 / validation accuracy: {history[-1]['val_acc']:.4f}")
    acc = history[-1].get("test_acc") if history else None
    if acc is None and history:  # 每轮只在验证集上评估的配置：训练完在测试集上评估一次
        from . import train

        acc = train.evaluate(network, data_dir=args.data_dir)["acc"]
    if acc is not None:
        print(f"测试集准确率 / test accuracy: {acc:.4f}")
    print(f"模型 / model: {where}")
    return 0


def cmd_evaluate(args) -> int:
    import numpy as np

    from . import data, train

    network, source = _network(args)
    result = train.evaluate(network, "test", data_dir=args.data_dir)
    print(f"模型 / model: {source}")
    print(f"准确率 / accuracy: {result['acc']:.4f}")
    print(f"平均损失 / mean loss: {result['loss']:.4f}")
    if args.confusion:
        images, labels = data.load_numpy("test", args.data_dir)
        pred = train.predict_logits(network, images).argmax(1)
        cm = np.zeros((10, 10), dtype=int)
        np.add.at(cm, (labels, pred), 1)
        print("\n混淆矩阵 / confusion matrix（行 = 真实 / rows = true，列 = 预测 / columns = predicted）")
        print("     " + "".join(f"{j:>6}" for j in range(10)))
        for i in range(10):
            print(f"{i:>5}" + "".join(f"{v:>6}" for v in cm[i]))
    return 0


def cmd_predict(args) -> int:
    from . import preprocess

    images = preprocess.load_images(args.images)  # 先检查每个文件，再加载模型：坏文件不用等模型
    network, _ = _network(args)
    rows = preprocess.classify(network, args.images, images)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            print(f"{r['file']}: {r['digit']}  （概率 / probability {r['probability']:.3f}）")
    return 0


def cmd_export(args) -> int:
    from . import data, deploy

    network, source = _network(args)
    images, _ = data.load_numpy("test", args.data_dir)
    result = deploy.export(network, args.out, args.format, data.normalize(images))
    check = result["check"]
    print(f"模型 / model: {source}")
    for f in result["files"]:
        print(f"已写出 / wrote: {f}  ({f.stat().st_size:,} bytes)")
    print(
        f"核对 / check: {check['n']} 张测试图，最大差 / max abs diff {check['max_abs_diff']:.2e}，"
        f"argmax 一致 / agree {check['argmax_agree']:.2%} —— 与原网络一致 / equal to the network"
    )
    return 0


def cmd_warm(args) -> int:
    from . import cache, data, warm

    # 章节的内核是子进程：数据和缓存的位置经环境变量交给它们
    if args.data_dir:
        os.environ[data.ENV_VAR] = str(Path(args.data_dir).resolve())
    if args.cache_dir:
        os.environ[cache.CACHE_ENV] = str(Path(args.cache_dir).resolve())
    results = warm.run_chapters(args.notebooks)
    trained = sum(len(r["trained"]) for r in results)
    total = sum(r["seconds"] for r in results)
    print(f"完成 / done: {len(results)} 章，{total:.0f} 秒，新训练 {trained} 个模型 / models newly trained")
    return 0


# ---------------------------------------------------------------- 入口


def main(argv=None) -> int:
    os.environ.setdefault("GLOG_minloglevel", "2")  # Paddle 的 C++ 日志（执行器启动等）对命令行用户无意义
    parser = build_parser()
    args = parser.parse_args(argv)
    from .data import MNISTDataError
    from .deploy import DeployError
    from .preprocess import ImageError
    from .warm import WarmError

    try:
        return args.func(args)
    except (CLIError, ImageError, MNISTDataError, DeployError, WarmError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
    except OSError as exc:  # 写不了输出目录、磁盘满等
        print(
            f"错误 / error: {exc.strerror or exc}: {exc.filename or ''}\n"
            "修复方法：检查路径是否存在、是否有写权限。\nFix: check that the path exists and is writable.",
            file=sys.stderr,
        )
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
