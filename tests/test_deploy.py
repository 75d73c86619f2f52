"""lenet.deploy：每一条导出路径（jit.load、Paddle Inference、ONNX Runtime）与动态图网络逐个相同。"""

import sys

import paddle
import pytest

from lenet import data, deploy
from lenet.model import LeNet


@pytest.fixture(scope="module")
def network():
    paddle.seed(7)
    net = LeNet("relu")
    net.eval()
    return net


@pytest.fixture(scope="module")
def images(mnist_dir):
    return data.normalize(data.load_numpy("test", mnist_dir)[0][:2000])


@pytest.fixture(scope="module")
def exported(network, tmp_path_factory):
    return deploy.backends(network, tmp_path_factory.mktemp("export"))


def test_saved_files_depend_on_the_paddle_version(network, tmp_path):
    files = {p.name for p in deploy.save_inference_model(network, tmp_path / "m")}
    if paddle.__version__.startswith("2."):
        assert {"m.pdmodel", "m.pdiparams"} <= files  # 旧 IR：ProgramDesc
    else:
        assert {"m.json", "m.pdiparams"} <= files  # PIR
    assert deploy.model_files(tmp_path / "m")["model"].name in files


def test_every_backend_equals_the_network(exported, images):
    backends, skipped = exported
    assert skipped is None, skipped  # 两个测试环境都装了能用的 paddle2onnx
    assert list(backends) == ["dygraph", "jit.load", "Paddle Inference", "ONNX Runtime"]
    reference = backends["dygraph"](images)
    assert reference.shape == (len(images), 10)
    for name, backend in backends.items():
        check = deploy.check_equal(reference, backend(images), name=name)
        assert check["max_abs_diff"] <= 1e-5 and check["argmax_agree"] == 1.0 and check["n"] == len(images)
        assert backend.size() > 44426 * 4  # 44,426 个 float32 参数


def test_variable_batch_size(exported, images):
    backends, _ = exported
    for backend in backends.values():
        for n in (1, 3, 257):
            assert backend.predict(images[:n]).shape == (n, 10)


def test_check_equal_can_fail(exported, images, network, tmp_path):
    backends, _ = exported
    reference = backends["dygraph"](images[:100])
    with pytest.raises(deploy.DeployError, match="不一致"):
        deploy.check_equal(reference, reference + 1e-3, name="perturbed")
    swapped = reference.copy()
    swapped[0] = swapped[0][::-1]  # 改变一张图的 argmax
    with pytest.raises(deploy.DeployError):
        deploy.check_equal(reference, swapped)
    paddle.seed(8)
    other = LeNet("relu")  # 另一组参数导出的模型：核对必须失败
    deploy.save_inference_model(other, tmp_path / "other")
    with pytest.raises(deploy.DeployError):
        deploy.check_equal(reference, deploy.paddle_inference(tmp_path / "other")(images[:100]))


def test_export_command_paths(network, images, tmp_path):
    result = deploy.export(network, tmp_path / "p", "paddle", images[:500])
    assert {p.suffix for p in result["files"]} >= {".pdiparams"} and result["check"]["n"] == 500
    result = deploy.export(network, tmp_path / "o", "onnx", images[:500])
    assert [p.name for p in result["files"]] == ["lenet.onnx"]
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["lenet.onnx"]
    with pytest.raises(deploy.DeployError, match="format"):
        deploy.export(network, tmp_path / "x", "tflite")


def test_missing_files_are_reported(tmp_path):
    with pytest.raises(deploy.DeployError) as e:
        deploy.load_jit(tmp_path / "nothing")
    assert "Fix:" in str(e.value) and str(tmp_path / "nothing") in str(e.value)
    with pytest.raises(deploy.DeployError):
        deploy.onnx_runtime(tmp_path / "nothing.onnx")
    with pytest.raises(deploy.DeployError):
        deploy.load_trained(tmp_path)


def test_converter_unavailable_is_explained_not_silent(network, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "paddle2onnx", None)  # 导入 paddle2onnx 时 ImportError
    ok, why = deploy.onnx_available()
    assert not ok and "paddle2onnx" in why and "pip install" in why
    backends, skipped = deploy.backends(network, tmp_path)
    assert "ONNX Runtime" not in backends and "paddle2onnx" in skipped
    with pytest.raises(deploy.ConverterUnavailable):
        deploy.export(network, tmp_path / "o", "onnx")
    assert not (tmp_path / "o").exists()  # 不留下半套文件


def test_trained_directory_round_trip(network, images, tmp_path):
    deploy.save_trained(network, tmp_path / "run", {"activation": "relu"}, [{"epoch": 1}])
    loaded, config = deploy.load_trained(tmp_path / "run")
    assert config["activation"] == "relu"
    deploy.check_equal(deploy.dygraph(network)(images[:50]), deploy.dygraph(loaded)(images[:50]), 0.0)
    (tmp_path / "run" / "model.pdparams").write_bytes(b"garbage")
    with pytest.raises(deploy.DeployError, match="cannot read"):
        deploy.load_trained(tmp_path / "run")


def test_benchmark_reports_without_asserting_speed(exported, images):
    backends, _ = exported
    row = deploy.benchmark(backends["ONNX Runtime"], images, calls=5, batch=100, batch_calls=2)
    assert row["name"] == "ONNX Runtime" and row["bytes"] == backends["ONNX Runtime"].size()
    assert row["latency_ms"] > 0 and row["throughput"] > 0


def test_environment_lists_versions():
    info = deploy.environment()
    assert info["paddle"] == paddle.__version__ and info["onnxruntime"]
