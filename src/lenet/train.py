"""训练与评估：原笔记本的 ``paddle.Model`` 写法、逐轮记录、批量评估和随机种子（缓存见 :mod:`lenet.cache`）。"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import paddle

from . import data as lenet_data
from .cache import TrainingConfig
from .model import LeNet


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
    holdout: int = 0

    def run(self, verbose: int = 1, data_dir=None):
        """按原笔记本的写法训练，返回 (网络, 逐轮记录)。"""
        model, history = fit(self, verbose=verbose, data_dir=data_dir)
        return model.network, history.epochs


ORIGINAL_CONFIG = TrainConfig()  # 原笔记本的配置：Sigmoid、Adam 1e-3、批大小 64、5 轮，全部 60,000 张训练图
RELU_CONFIG = replace(ORIGINAL_CONFIG, activation="relu")
HOLDOUT = 5000  # 选择与诊断用的验证集：训练集的最后 5,000 张
# 同样的配方，留出验证集：第 6 章看训练曲线、比较 Sigmoid 与 ReLU 时用它们
VALIDATION_CONFIG = replace(ORIGINAL_CONFIG, holdout=HOLDOUT)
RELU_VALIDATION_CONFIG = replace(RELU_CONFIG, holdout=HOLDOUT)


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
    model = prepare(LeNet(config.activation), config.learning_rate)
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
