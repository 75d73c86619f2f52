"""lenet.model：参数量、逐层形状与输出尺寸公式。"""

import numpy as np
import paddle
import paddle.nn.functional as F
import pytest

from lenet import model

EXPECTED_SHAPES = {
    "conv1": [2, 6, 24, 24],
    "pool1": [2, 6, 12, 12],
    "conv2": [2, 16, 8, 8],
    "pool2": [2, 16, 4, 4],
    "flatten": [2, 256],
    "fc1": [2, 120],
    "fc2": [2, 84],
    "fc3": [2, 10],
}


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_parameter_count(activation):
    net = model.LeNet(activation)
    assert model.count_parameters(net) == model.N_PARAMETERS == 44426
    per_layer = {k: v for k, v in model.layer_parameters(net).items() if v}
    assert per_layer == {"conv1": 156, "conv2": 2416, "fc1": 30840, "fc2": 10164, "fc3": 850}


def test_trace_shapes():
    rows = dict(model.trace_shapes(model.LeNet(), (2, 1, 28, 28)))
    assert rows["input"] == [2, 1, 28, 28]
    for name, shape in EXPECTED_SHAPES.items():
        assert rows[name] == shape, name


def test_forward_and_activation_choice():
    x = paddle.rand([3, 1, 28, 28])
    assert model.LeNet("relu")(x).shape == [3, 10]
    assert isinstance(model.LeNet("relu").act1, paddle.nn.ReLU)
    assert isinstance(model.LeNet().act1, paddle.nn.Sigmoid)
    with pytest.raises(ValueError):
        model.LeNet("softplus")


def test_conv_output_size():
    assert model.conv_output_size(28, 5) == 24
    assert model.conv_output_size(24, 2, stride=2) == 12
    assert model.conv_output_size(8, 2, stride=2) == 4
    assert model.conv_output_size(28, 5, padding=2) == 28


def test_padded_lenet_traces_the_1998_size_chain():
    net = model.padded_lenet()
    rows = dict(model.trace_shapes(net, (1, 1, 32, 32)))
    assert [rows[n][-1] for n in ("input", "conv1", "pool1", "conv2", "pool2")] == [32, 28, 14, 10, 5]
    assert rows["flatten"] == [1, 400] and rows["fc3"] == [1, 10]
    assert model.layer_parameters(net)["fc1"] == 48120  # 原版 C5：(400 + 1) × 120
    with pytest.raises(ValueError):  # 28×28 的输入展平后只有 256，与 fc1 的 400 对不上
        model.trace_shapes(net, (1, 1, 28, 28))


class StudentLeNet(paddle.nn.Layer):
    """学生照原笔记本写的 LeNetModel：激活函数是 forward 里的 F.sigmoid，不是子层。"""

    def __init__(self):
        super().__init__()
        self.conv1 = paddle.nn.Conv2D(1, 6, 5)
        self.pool1 = paddle.nn.MaxPool2D(2, 2)
        self.conv2 = paddle.nn.Conv2D(6, 16, 5)
        self.pool2 = paddle.nn.MaxPool2D(2, 2)
        self.fc1 = paddle.nn.Linear(256, 120)
        self.fc2 = paddle.nn.Linear(120, 84)
        self.fc3 = paddle.nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(F.sigmoid(self.conv1(x)))
        x = self.pool2(F.sigmoid(self.conv2(x)))
        x = paddle.flatten(x, start_axis=1)
        return self.fc3(F.sigmoid(self.fc2(F.sigmoid(self.fc1(x)))))


def test_feature_maps_of_a_students_own_network():
    paddle.seed(0)
    student = StudentLeNet()
    x = paddle.rand([2, 1, 28, 28])
    maps = model.feature_maps(student, x, ["conv1", "pool1", "conv2"])
    assert list(maps) == ["conv1", "pool1", "conv2"]
    assert maps["conv1"].shape == [2, 6, 24, 24] and maps["pool1"].shape == [2, 6, 12, 12]
    with paddle.no_grad():
        assert np.allclose(maps["conv1"].numpy(), student.conv1(x).numpy(), atol=1e-6)  # 激活之前
        expected = student.pool1(F.sigmoid(student.conv1(x))).numpy()
    assert np.allclose(maps["pool1"].numpy(), expected, atol=1e-6)  # 已经过 F.sigmoid
    assert 0 < maps["pool1"].numpy().min() and maps["pool1"].numpy().max() < 1
    assert list(model.feature_maps(student, x)) == ["conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "fc3"]
    kernels = model.conv_kernels(student)
    assert list(kernels) == ["conv1", "conv2"]
    assert kernels["conv1"].shape == (6, 1, 5, 5) and kernels["conv2"].shape == (16, 6, 5, 5)
    assert np.array_equal(kernels["conv1"], student.conv1.weight.numpy())


def test_feature_maps_agree_with_lenet_layer_by_layer():
    net = model.LeNet()
    x = paddle.rand([1, 1, 28, 28])
    maps = model.feature_maps(net, x, ["act1", "pool2", "fc3"])
    with paddle.no_grad():
        assert np.allclose(maps["act1"].numpy(), net.act1(net.conv1(x)).numpy(), atol=1e-6)
        assert np.allclose(maps["fc3"].numpy(), net(x).numpy(), atol=1e-6)
    with pytest.raises(KeyError, match="conv9"):
        model.feature_maps(net, x, ["conv9"])


def test_mlp_has_about_as_many_parameters_as_lenet():
    mlp = model.MLP()
    assert model.count_parameters(mlp) == 784 * 56 + 56 + 56 * 10 + 10 == 44530
    assert abs(model.count_parameters(mlp) - model.N_PARAMETERS) / model.N_PARAMETERS < 0.01
    assert mlp(paddle.rand([3, 1, 28, 28])).shape == [3, 10]
    assert not model.conv_kernels(mlp)
    with pytest.raises(ValueError, match="activation"):
        model.MLP("gelu")


def test_layer_flops_match_the_sizes_counted_by_hand():
    flops = model.layer_flops(model.LeNet("relu"))
    assert list(flops) == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    # 每层前向：输出元素数 × 每个输出的乘加数 × 2，再加偏置；反向：权重梯度 + 输入梯度（第一层没有输入梯度）
    by_hand = {
        "conv1": (6 * 24 * 24, 1 * 5 * 5),
        "conv2": (16 * 8 * 8, 6 * 5 * 5),
        "fc1": (120, 256),
        "fc2": (84, 120),
        "fc3": (10, 84),
    }
    for name, (outputs, macs_each) in by_hand.items():
        macs = outputs * macs_each
        assert flops[name]["forward"] == 2 * macs + outputs, name
        assert flops[name]["backward"] == 2 * macs * (1 if name == "conv1" else 2), name
    assert model.training_flops(model.LeNet("sigmoid")) == 1521734
    # 批大小不改变每张图的运算量；32×32 输入的网络更大
    assert model.layer_flops(model.LeNet("relu"), (4, 1, 28, 28)) == flops
    assert model.training_flops(model.padded_lenet(), (1, 1, 32, 32)) > 1521734
