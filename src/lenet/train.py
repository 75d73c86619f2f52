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

    def run(self, verbose: int = 1, data_dir=None):
        """按原笔记本的写法训练，返回 (网络, 逐轮记录)。"""
        model, history = fit(self, verbose=verbose, data_dir=data_dir)
        return model.network, history.epochs


ORIGINAL_CONFIG = TrainConfig()  # 原笔记本的配置：Sigmoid、Adam 1e-3、批大小 64、5 轮
RELU_CONFIG = replace(ORIGINAL_CONFIG, activation="relu")


def set_seed(seed: int) -> None:
    """固定 Python、NumPy 和 Paddle 的随机数，使同一台机器上两次训练结果相同。"""
    random.seed(seed)
    np.random.seed(seed)
    paddle.seed(seed)


class History(paddle.callbacks.Callback):
    """记录每一轮的训练集与测试集平均损失、准确率，供画训练曲线。

    Paddle 日志里的 ``loss`` 只是最后一个批次的损失；这里按样本数求整轮平均。
    """

    def __init__(self):
        super().__init__()
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
        if self.epochs and "test_acc" not in self.epochs[-1]:
            self.epochs[-1].update(test_loss=self._mean("eval"), test_acc=float(logs["acc"]))


def prepare(network: paddle.nn.Layer, learning_rate: float = 1e-3) -> paddle.Model:
    """原笔记本的 ``paddle.Model``：Adam + 交叉熵损失 + 准确率。"""
    model = paddle.Model(network)
    model.prepare(
        paddle.optimizer.Adam(learning_rate=learning_rate, parameters=network.parameters()),
        paddle.nn.CrossEntropyLoss(),
        paddle.metric.Accuracy(),
    )
    return model


def fit(config: TrainConfig = ORIGINAL_CONFIG, verbose: int = 1, data_dir=None):
    """按原笔记本的写法训练：``model.fit(train, epochs, batch_size, verbose)``，每轮结束在测试集上评估。

    返回 (paddle.Model, History)。
    """
    set_seed(config.seed)
    model = prepare(LeNet(config.activation), config.learning_rate)
    history = History()
    train_data = lenet_data.mnist_dataset("train", data_dir=data_dir)
    if config.train_samples:
        train_data = paddle.io.Subset(train_data, list(range(config.train_samples)))
    model.fit(
        train_data,
        eval_data=lenet_data.mnist_dataset("test", data_dir=data_dir),
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
