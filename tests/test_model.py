"""lenet.model：参数量、逐层形状与输出尺寸公式。"""

import paddle
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
