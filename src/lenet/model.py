"""原笔记本的 LeNet-5：两层卷积 + 两层最大池化 + 三层全连接，共 44,426 个参数。"""

from __future__ import annotations

import numpy as np
import paddle
from paddle import nn

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}
N_PARAMETERS = 44426

# LeCun、Bottou、Bengio、Haffner（1998）论文里的 LeNet-5（32×32 补边输入），供各章与基准比较
LECUN_1998 = {
    "test_error": 0.0095,
    "test_acc": 0.9905,
    "test_error_with_distortions": 0.008,  # 同一论文：训练集加入人工扭曲（数据增强）后
    "parameters": 60000,  # 论文所述“约 60,000 个可训练参数”（32×32 输入）
    "connections": 340908,  # 论文所述的连接数（每个参数在图上每个位置用一次，都算一个连接）
    "source": "LeCun, Bottou, Bengio, Haffner (1998), Gradient-based learning applied to document "
    "recognition, Proc. IEEE 86(11); LeNet-5 on 32x32 padded input: 0.95% without distortions, "
    "0.8% with artificially distorted training images",
}


class LeNet(nn.Layer):
    """LeNet-5（原笔记本的版本）：输入 N×1×28×28，输出 N×10 的未归一化分数（logits）。

    ``activation`` 只换激活函数，不改变任何参数的形状和数量。
    层的名字与原笔记本的 ``LeNetModel`` 一致（conv1、pool1、conv2、pool2、fc1、fc2、fc3）。
    """

    def __init__(self, activation: str = "sigmoid", num_classes: int = 10):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation 应为 {sorted(ACTIVATIONS)} 之一，得到 {activation!r}")
        self.activation = activation
        act = ACTIVATIONS[activation]
        self.conv1 = nn.Conv2D(in_channels=1, out_channels=6, kernel_size=5, stride=1)  # L1
        self.act1 = act()
        self.pool1 = nn.MaxPool2D(kernel_size=2, stride=2)  # L2
        self.conv2 = nn.Conv2D(in_channels=6, out_channels=16, kernel_size=5, stride=1)  # L3
        self.act2 = act()
        self.pool2 = nn.MaxPool2D(kernel_size=2, stride=2)  # L4
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(in_features=16 * 4 * 4, out_features=120)  # L5
        self.act3 = act()
        self.fc2 = nn.Linear(in_features=120, out_features=84)  # L6
        self.act4 = act()
        self.fc3 = nn.Linear(in_features=84, out_features=num_classes)  # L7

    def forward(self, x):
        x = self.pool1(self.act1(self.conv1(x)))
        x = self.pool2(self.act2(self.conv2(x)))
        x = self.flatten(x)
        x = self.act3(self.fc1(x))
        x = self.act4(self.fc2(x))
        return self.fc3(x)


class MLP(nn.Layer):
    """没有卷积的对照网络（多层感知机）：28×28 展平成 784 个数 → 隐藏层 → 10 个 logits。

    隐藏层 56 个单元时共 784×56+56 + 56×10+10 = 44,530 个参数，与 LeNet-5 的 44,426 个相当。
    """

    def __init__(self, activation: str = "sigmoid", hidden: int = 56, num_classes: int = 10):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation 应为 {sorted(ACTIVATIONS)} 之一，得到 {activation!r}")
        self.activation = activation
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(28 * 28, hidden)
        self.act1 = ACTIVATIONS[activation]()
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x):
        return self.fc2(self.act1(self.fc1(self.flatten(x))))


def feature_maps(network: nn.Layer, x, names=None) -> dict[str, paddle.Tensor]:
    """把 ``x`` 送进任意 ``paddle.nn.Layer``，用前向钩子（forward post hook）留下子层的输出。

    ``names`` 是子层名（如 ``["conv1", "pool1"]``，即 ``named_sublayers`` 里的名字），默认取全部子层；
    返回 {名字: 输出}，按前向计算中的先后顺序。在 ``forward`` 里直接调用的函数（如 ``F.sigmoid``）
    不是子层，看不到它单独的输出：对原笔记本的 ``LeNetModel``，``conv1`` 的输出是激活之前的值，
    ``pool1`` 的输出已经过了 Sigmoid。
    """
    sublayers = dict(network.named_sublayers())
    wanted = list(sublayers) if names is None else list(names)
    missing = [n for n in wanted if n not in sublayers]
    if missing:
        raise KeyError(
            f"网络里没有子层 {missing}；可选的有 {list(sublayers)}\n"
            f"no sublayer named {missing} in this network; available: {list(sublayers)}"
        )
    outputs: dict[str, paddle.Tensor] = {}

    def keep(name):
        def hook(layer, inputs, output):
            outputs[name] = output.detach()

        return hook

    handles = [sublayers[n].register_forward_post_hook(keep(n)) for n in wanted]
    try:
        with paddle.no_grad():
            network(x)
    finally:
        for h in handles:
            h.remove()
    return outputs


def conv_kernels(network: nn.Layer) -> dict[str, np.ndarray]:
    """任意网络里全部 ``Conv2D`` 子层的卷积核：{子层名: 形如 (输出通道, 输入通道, k, k) 的数组}，按定义顺序。"""
    return {name: layer.weight.numpy() for name, layer in network.named_sublayers() if isinstance(layer, nn.Conv2D)}


def count_parameters(layer: nn.Layer) -> int:
    """可训练参数的总数。"""
    return sum(int(p.numel()) for p in layer.parameters() if not p.stop_gradient)


def layer_parameters(layer: nn.Layer) -> dict[str, int]:
    """每个子层的参数个数（权重 + 偏置），按定义顺序；没有参数的层记 0。"""
    return {
        name: sum(int(p.numel()) for p in sub.parameters(include_sublayers=False))
        for name, sub in layer.named_children()
    }


def trace_shapes(layer: nn.Layer, input_shape=(1, 1, 28, 28)) -> list[tuple[str, list[int]]]:
    """把一个全零输入依次送过每个子层，记录 (层名, 输出形状)；第一行是输入本身。"""
    x = paddle.zeros(input_shape, dtype="float32")
    rows = [("input", list(x.shape))]
    with paddle.no_grad():
        for name, sub in layer.named_children():
            x = sub(x)
            rows.append((name, list(x.shape)))
    return rows


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """卷积或池化的输出边长：⌊(size + 2·padding − kernel) / stride⌋ + 1。"""
    return (size + 2 * padding - kernel) // stride + 1


def padded_lenet(activation: str = "sigmoid") -> LeNet:
    """输入 32×32 的 LeNet（像 1998 年原版那样把 28×28 的数字四周补 2 圈）：其余层不变，

    只有展平后的长度从 16×4×4 = 256 变成 16×5×5 = 400，所以 ``fc1`` 改为 400 个输入（原版 C5 的输入个数）。
    用于把原版的尺寸链（32 → 28 → 14 → 10 → 5）用真实网络追踪出来：``trace_shapes(padded_lenet(), (1, 1, 32, 32))``。
    """
    net = LeNet(activation)
    side = conv_output_size(conv_output_size(conv_output_size(conv_output_size(32, 5), 2, 2), 5), 2, 2)
    net.fc1 = nn.Linear(in_features=16 * side * side, out_features=120)
    return net


def layer_flops(network: nn.Layer, input_shape=(1, 1, 28, 28)) -> dict[str, dict[str, int]]:
    """每张图在每个 ``Conv2D`` / ``Linear`` 子层上的浮点运算次数（一次乘加算 2 次），用前向钩子读出真实的输出形状。

    返回 {子层名: {"forward": 前向, "backward": 反向}}，按前向计算中的先后顺序：

    - 前向：输出的每个元素是 (输入通道 × k × k) 或 (输入个数) 次乘加，再加一次偏置；
    - 反向：对权重的梯度要同样多的乘加；对输入的梯度也一样多——第一层除外（图像不需要梯度）。
      偏置的梯度只是求和，忽略不计。

    激活函数、池化、损失函数每个元素只有一两次运算，比卷积和矩阵乘法少两个数量级，不计入。
    """
    batch = input_shape[0]
    flops: dict[str, dict[str, int]] = {}

    def count(name):
        def hook(layer, inputs, output):
            outputs = int(np.prod(output.shape)) // batch  # 每张图的输出元素个数
            if isinstance(layer, nn.Conv2D):
                macs = outputs * int(np.prod(layer.weight.shape[1:]))  # 输入通道 × k × k
            else:
                macs = outputs * int(layer.weight.shape[0])  # Linear 的权重形如 [输入, 输出]
            first = not flops
            forward = 2 * macs + (outputs if layer.bias is not None else 0)
            flops[name] = {"forward": forward, "backward": 2 * macs * (1 if first else 2)}

        return hook

    handles = [
        sub.register_forward_post_hook(count(name))
        for name, sub in network.named_sublayers()
        if isinstance(sub, (nn.Conv2D, nn.Linear))
    ]
    try:
        with paddle.no_grad():
            network(paddle.zeros(input_shape, dtype="float32"))
    finally:
        for h in handles:
            h.remove()
    return flops


def training_flops(network: nn.Layer, input_shape=(1, 1, 28, 28)) -> int:
    """训练一张图（前向 + 反向）的浮点运算次数：:func:`layer_flops` 各层之和。"""
    return sum(f["forward"] + f["backward"] for f in layer_flops(network, input_shape).values())
