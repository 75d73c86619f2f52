"""训练与评估：原笔记本的 ``paddle.Model`` 写法、逐轮记录、批量评估和随机种子（缓存见 :mod:`lenet.cache`）。"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace
from typing import ClassVar

import numpy as np
import paddle

from . import data as lenet_data
from .cache import TrainingConfig
from .model import MLP, LeNet


@dataclass(frozen=True)
class TrainConfig(TrainingConfig):
    """``paddle.Model.fit`` 训练的全部设置；缓存按它的内容区分。默认值就是原笔记本的配置。"""

    prefix: ClassVar[str] = "lenet"

    activation: str = "sigmoid"
    epochs: int = 5
    batch_size: int = 64
    learning_rate: float = 1e-3
    seed: int = 2024
    train_samples: int | None = None  # 只用前 N 张训练图（快速实验、测试）；None 表示全部
    # > 0：训练集最后 holdout 张不参与训练，作验证集，每轮在它上面评估（记录 val_loss / val_acc）；
    # = 0：像原笔记本那样用全部训练图，每轮在测试集上评估（记录 test_loss / test_acc，只供报告）
    # ORIGINAL_CONFIG 用 holdout=5000
    holdout: int = 0

    def build(self) -> paddle.nn.Layer:
        """按配置新建一个（参数随机的）网络。"""
        return LeNet(self.activation)

    def run(self, verbose: int = 1, data_dir=None):
        """按原笔记本的写法训练，返回 (网络, 逐轮记录)。"""
        model, history = fit(self, verbose=verbose, data_dir=data_dir)
        return model.network, history.epochs


@dataclass(frozen=True)
class MLPConfig(TrainConfig):
    """同样的配方（``paddle.Model.fit``），网络换成没有卷积的 :class:`lenet.model.MLP`（隐藏层 ``hidden`` 个单元）。"""

    prefix: ClassVar[str] = "mlp"

    hidden: int = 56

    def build(self) -> paddle.nn.Layer:
        return MLP(self.activation, hidden=self.hidden)


@dataclass(frozen=True)
class LoopConfig(TrainConfig):
    """与 :class:`TrainConfig` 相同的设置，但用基础 API 写出的训练循环（:func:`loop_fit`）训练。"""

    prefix: ClassVar[str] = "loop"

    def run(self, verbose: int = 1, data_dir=None):
        return loop_fit(self, data_dir=data_dir, log=print if verbose else None)


HOLDOUT = 5000  # 选择与诊断用的验证集：训练集的最后 5,000 张
# 原笔记本的配置：Sigmoid、Adam 1e-3、批大小 64、5 轮。与原笔记本的唯一不同：训练集的最后 5,000 张留作验证集，
# 只用其余 55,000 张训练（原笔记本用全部 60,000 张）。第 6～9 章的“原笔记本的模型”都是它
ORIGINAL_CONFIG = TrainConfig(holdout=HOLDOUT)
RELU_CONFIG = replace(ORIGINAL_CONFIG, activation="relu")
# 第 6 章比较 Sigmoid 与 ReLU 的第 1 轮：ReLU 快在一开始，1 轮就看得出来（省下 4 轮训练）
RELU_SHORT_CONFIG = replace(RELU_CONFIG, epochs=1)
# 第 6 章：基础 API 的训练循环（loop_fit）按原笔记本的配置训练 1 轮，与 Model.fit 的第 1 轮比较
LOOP_CONFIG = LoopConfig(**{**asdict(ORIGINAL_CONFIG), "epochs": 1})
# 第 7 章“为什么要用卷积”：同样的配方训练一个参数个数相当、没有卷积的 MLP
MLP_CONFIG = MLPConfig(**asdict(ORIGINAL_CONFIG))


def set_seed(seed: int) -> None:
    """固定 Python、NumPy 和 Paddle 的随机数，使同一台机器上两次训练结果相同。"""
    random.seed(seed)
    np.random.seed(seed)
    paddle.seed(seed)


class History(paddle.callbacks.Callback):
    """记录每一轮的训练集平均损失、准确率，以及评估集（``eval_name``：验证集 val 或测试集 test）的结果。

    Paddle 日志里的 ``loss`` 只是最后一个批次的损失；这里按样本数求整轮平均。
    """

    def __init__(self, eval_name: str = "test"):
        super().__init__()
        self.eval_name = eval_name
        self.epochs: list[dict] = []
        self._sums = {}

    def _add(self, mode, logs):
        n = logs.get("batch_size", 1)
        s = self._sums.setdefault(mode, [0.0, 0])
        s[0] += float(np.mean(logs["loss"])) * n
        s[1] += n

    def _mean(self, mode):
        total, n = self._sums.pop(mode, (0.0, 0))
        return total / max(n, 1)

    def on_train_batch_end(self, step, logs=None):
        self._add("train", logs)

    def on_eval_batch_end(self, step, logs=None):
        self._add("eval", logs)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append({"epoch": epoch + 1, "train_loss": self._mean("train"), "train_acc": float(logs["acc"])})

    def on_eval_end(self, logs=None):
        # fit(eval_data=...) 在 on_epoch_end 之后评估；单独调用 evaluate 时没有对应的轮
        name = self.eval_name
        if self.epochs and f"{name}_acc" not in self.epochs[-1]:
            self.epochs[-1].update({f"{name}_loss": self._mean("eval"), f"{name}_acc": float(logs["acc"])})


def prepare(network: paddle.nn.Layer, learning_rate: float = 1e-3) -> paddle.Model:
    """原笔记本的 ``paddle.Model``：Adam + 交叉熵损失 + 准确率。"""
    model = paddle.Model(network)
    model.prepare(
        paddle.optimizer.Adam(learning_rate=learning_rate, parameters=network.parameters()),
        paddle.nn.CrossEntropyLoss(),
        paddle.metric.Accuracy(),
    )
    return model


def split_train(config: TrainConfig, data_dir=None):
    """训练集按配置切开：返回 (用来训练的部分, 验证集或 None)。验证集是（前 train_samples 张中的）最后 holdout 张。"""
    full = lenet_data.mnist_dataset("train", data_dir=data_dir)
    n = config.train_samples or len(full)
    if not 0 <= config.holdout < n:
        raise ValueError(
            f"holdout 应在 0 与训练图数 {n} 之间，得到 {config.holdout}\n"
            f"holdout must be between 0 and the number of training images ({n}), got {config.holdout}"
        )
    n_fit = n - config.holdout
    fit_part = full if n_fit == len(full) else paddle.io.Subset(full, list(range(n_fit)))
    val_part = paddle.io.Subset(full, list(range(n_fit, n))) if config.holdout else None
    return fit_part, val_part


def fit(config: TrainConfig = ORIGINAL_CONFIG, verbose: int = 1, data_dir=None):
    """按原笔记本的写法训练：``model.fit(train, epochs, batch_size, verbose)``。

    每轮结束时评估一次：``config.holdout > 0`` 时在留出的验证集上（记录 val_loss / val_acc），
    否则像原笔记本那样在测试集上（test_loss / test_acc）。返回 (paddle.Model, History)。
    """
    set_seed(config.seed)
    model = prepare(config.build(), config.learning_rate)
    train_data, val_data = split_train(config, data_dir)
    history = History("val" if val_data is not None else "test")
    model.fit(
        train_data,
        eval_data=val_data if val_data is not None else lenet_data.mnist_dataset("test", data_dir=data_dir),
        epochs=config.epochs,
        batch_size=config.batch_size,
        verbose=verbose,
        callbacks=[history],
    )
    return model, history


def loop_fit(config: TrainConfig, data_dir=None, log=print):
    """不用 ``paddle.Model``，用基础 API 写出完整的训练循环；返回 (网络, 逐轮记录)，记录的字段与 :func:`fit` 相同。

    取批次的方式与 ``Model.fit`` 内部相同（``DistributedBatchSampler``，第 k 轮用固定的种子 k 打乱），
    所以同样的配置、同样的随机种子，两者训练出的参数逐位相同。
    """
    set_seed(config.seed)
    network = config.build()
    opt = paddle.optimizer.Adam(learning_rate=config.learning_rate, parameters=network.parameters())
    loss_fn = paddle.nn.CrossEntropyLoss()
    train_data, val_data = split_train(config, data_dir)
    # 平常写 DataLoader(train_data, batch_size=64, shuffle=True) 即可；这里用 Model.fit 同样的打乱方式
    sampler = paddle.io.DistributedBatchSampler(train_data, batch_size=config.batch_size, shuffle=True)
    train_loader = paddle.io.DataLoader(train_data, batch_sampler=sampler)
    name, eval_data = (
        ("val", val_data) if val_data is not None else ("test", lenet_data.mnist_dataset("test", data_dir=data_dir))
    )
    eval_loader = paddle.io.DataLoader(eval_data, batch_size=1000)
    history = []
    for epoch in range(1, config.epochs + 1):
        network.train()  # 训练模式（有 Dropout、BatchNorm 的网络必须切换；LeNet 没有，切换也无害）
        loss_sum, correct, seen = 0.0, 0, 0
        for images, labels in train_loader:
            logits = network(images)  # 前向
            loss = loss_fn(logits, labels)  # 这一批的平均交叉熵
            loss.backward()  # 反向：求每个参数的梯度
            opt.step()  # 按梯度更新参数（Adam）
            opt.clear_grad()  # 清空梯度，否则会累加到下一批
            loss_sum += float(loss) * len(labels)
            correct += int((logits.argmax(axis=1) == labels.flatten()).sum())
            seen += len(labels)
        row = {"epoch": epoch, "train_loss": loss_sum / seen, "train_acc": correct / seen}
        row.update({f"{name}_{k}": v for k, v in evaluate_loader(network, eval_loader, loss_fn).items()})
        history.append(row)
        if log:
            log(f"epoch {epoch}/{config.epochs}  " + "  ".join(f"{k} {v:.4f}" for k, v in row.items() if k != "epoch"))
    network.eval()
    return network, history


@paddle.no_grad()
def evaluate_loader(network: paddle.nn.Layer, loader, loss_fn) -> dict:
    """在 ``loader`` 的全部样本上求平均损失和准确率：评估模式、不记录梯度，结束后切回训练模式。"""
    network.eval()
    loss_sum, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        logits = network(images)
        loss_sum += float(loss_fn(logits, labels)) * len(labels)
        correct += int((logits.argmax(axis=1) == labels.flatten()).sum())
        seen += len(labels)
    network.train()
    return {"loss": loss_sum / seen, "acc": correct / seen}


@paddle.no_grad()
def predict_logits(network: paddle.nn.Layer, images: np.ndarray, batch_size: int = 1000):
    """对 uint8 图像（N×28×28）整批推理，返回 N×10 的 logits（numpy）。"""
    was_training = network.training
    network.eval()
    out = []
    for i in range(0, len(images), batch_size):
        x = paddle.to_tensor(lenet_data.normalize(images[i : i + batch_size]))
        out.append(network(x).numpy())
    if was_training:
        network.train()
    return np.concatenate(out)


def evaluate(network: paddle.nn.Layer, split: str = "test", batch_size: int = 1000, data_dir=None):
    """在整个 split 上求平均交叉熵和准确率。批大小默认 1000，而不是原笔记本隐含的 1。"""
    if isinstance(network, paddle.Model):
        network = network.network
    images, labels = lenet_data.load_numpy(split, data_dir)
    logits = predict_logits(network, images, batch_size)
    loss = paddle.nn.functional.cross_entropy(paddle.to_tensor(logits), paddle.to_tensor(labels.reshape(-1, 1)))
    return {"loss": float(loss), "acc": float((logits.argmax(1) == labels).mean())}
