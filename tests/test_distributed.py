"""lenet.distributed：两个进程（Gloo）的一步等于单进程在合并批次上的一步；故障与卡住时启动器有界地退出。

启动器的测试真的启动 ``paddle.distributed.launch``（2 个进程），每个都有超时，不会挂住测试。
"""

import dataclasses
import json
import uuid
from pathlib import Path

import numpy as np
import pytest

from lenet import cache, data, distributed, model, recipe

# 小配置：只用 2,048 张训练图训练 1 轮（够快，又真的走完 DistributedBatchSampler、all-reduce、保存）
TINY = distributed.DataParallelConfig(
    **{
        **dataclasses.asdict(recipe.ORIGINAL_FAST),
        "activation": "relu",
        "epochs": 1,
        "train_samples": 2048,
        "nprocs": 2,
    }
)
LAUNCH_TIMEOUT = 240  # 秒：在负载很重的 2 核机器上启动 3 个 Paddle 进程也够用


def _processes_with(marker: str) -> list[int]:
    """命令行里含有 marker 的进程（用来确认训练进程都已结束）。"""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@pytest.fixture(scope="module")
def probe_two_processes(tmp_path_factory, mnist_dir):
    out = tmp_path_factory.mktemp("probe")
    distributed.launch(
        ["probe", "--out", out, "--timing-rounds", 1], nprocs=2, log_dir=out / "logs", timeout=LAUNCH_TIMEOUT
    )
    return distributed.probe_results(out)


@pytest.mark.long(9)
def test_two_process_step_equals_single_process_step_on_the_combined_batch(probe_two_processes):
    ranks = probe_two_processes
    assert len(ranks) == 2 and all(int(r["size"]) == 2 for r in ranks)
    single = distributed.probe_parameters()  # 一个进程，批 64，同样的初始参数和样本
    assert single["initial"].size == model.N_PARAMETERS
    np.testing.assert_array_equal(ranks[0]["dp_initial"], single["initial"])
    moved = np.abs(single["one_step"] - single["initial"]).max()
    assert moved > 1e-2  # 这一步确实改变了参数，下面的比较才有意义
    for r in ranks:
        assert np.abs(r["dp_one_step"] - single["one_step"]).max() < 1e-5
        assert np.abs(r["dp_several_steps"] - single["several_steps"]).max() < 1e-4
    # 多步之后两个进程的参数完全相同
    assert np.abs(ranks[0]["dp_several_steps"] - ranks[1]["dp_several_steps"]).max() < 1e-7
    # 对照：不做 all-reduce，各进程只在自己的 32 张上更新——和单进程不同，两个进程之间也不同
    for r in ranks:
        assert np.abs(r["alone_one_step"] - single["one_step"]).max() > 1e-3
    assert np.abs(ranks[0]["alone_one_step"] - ranks[1]["alone_one_step"]).max() > 1e-3


def test_probe_records_compute_and_communication_times(probe_two_processes):
    for r in probe_two_processes:
        assert r["time_step"].size == r["time_compute"].size == r["time_allreduce"].size > 0
        assert (r["time_step"] > 0).all() and (r["time_compute"] > 0).all() and (r["time_allreduce"] > 0).all()
    single = distributed.time_steps(dataclasses.replace(distributed.ProbeConfig(), timing_rounds=1))
    assert set(single) == {"step", "compute"} and (single["step"] > 0).all()


@pytest.mark.long(10)
def test_launched_training_saves_a_model_the_cache_loads(tmp_path, mnist_dir, capsys):
    network, history, from_cache = cache.trained(TINY, cache_dir=tmp_path)  # 没有缓存：启动 2 个进程训练
    assert not from_cache
    log = capsys.readouterr().out  # verbose：打印 rank 0 的日志
    assert "[rank 0/2]" in log and "[rank 1/2]" not in log
    assert log.count("epoch  1/1") == 1
    assert "MD5" in log
    assert len(history) == 1 and history[0]["test_acc"] > 0.5  # 2,048 张训练 1 轮，远高于 10% 的瞎猜
    assert model.count_parameters(network) == model.N_PARAMETERS
    entry = tmp_path / TINY.name()
    assert json.loads((entry / "config.json").read_text())["nprocs"] == 2
    again, _, from_cache = cache.trained(TINY, cache_dir=tmp_path)
    assert from_cache
    images, labels = data.load_numpy("test")
    x, y = recipe.to_tensors(images, labels)
    assert abs(recipe.accuracy(again, x, y) - history[0]["test_acc"]) < 1e-9  # 各进程分片评估 = 整体评估


@pytest.mark.long(5)
def test_a_failing_rank_stops_the_launcher_with_a_clear_error(tmp_path, mnist_dir):
    marker = f"model-{uuid.uuid4().hex}"
    args = ["train", "--config", json.dumps(dataclasses.asdict(TINY)), "--out", tmp_path / marker, "--crash", "1:2"]
    with pytest.raises(distributed.DistributedRunError) as info:
        distributed.launch(args, nprocs=2, log_dir=tmp_path / "logs", timeout=LAUNCH_TIMEOUT)
    result = info.value.result
    message = str(info.value)
    assert result.failed_rank == 1 and result.returncode not in (0, None) and not result.timed_out
    assert "rank 1" in message and "分布式训练失败" in message and "Distributed run failed" in message
    assert "injected fault" in message  # 出错进程日志的最后几行
    assert result.seconds < LAUNCH_TIMEOUT
    assert not (tmp_path / marker).exists()  # 训练没有完成，就没有保存模型
    assert not _processes_with(marker)  # 所有训练进程都已结束


@pytest.mark.long(25)
def test_a_stuck_rank_is_stopped_by_the_timeout(tmp_path, mnist_dir):
    marker = f"model-{uuid.uuid4().hex}"
    args = ["train", "--config", json.dumps(dataclasses.asdict(TINY)), "--out", tmp_path / marker, "--hang", "1:2"]
    # 卡住的进程自己不会退出；Gloo 要 30 秒才让另一个进程超时。我们的超时比它短，由 launch 终止全部进程。
    timeout = 25
    with pytest.raises(distributed.DistributedRunError) as info:
        distributed.launch(args, nprocs=2, log_dir=tmp_path / "logs", timeout=timeout)
    result = info.value.result
    assert result.timed_out and result.returncode is None
    assert "没有结束" in str(info.value) and "did not finish" in str(info.value)
    assert timeout <= result.seconds < timeout + 60  # 终止本身也是有界的
    assert not _processes_with(marker)


def test_single_process_run_needs_no_launcher(tmp_path, mnist_dir):
    config = dataclasses.replace(TINY, nprocs=1, train_samples=1024, holdout=256)
    network, history = distributed.train(config, out=tmp_path / "m")
    assert len(history) == 1 and history[0]["images_per_second"] > 0
    images, labels = data.load_numpy("train")
    x_val, y_val = recipe.to_tensors(images[768:1024], labels[768:1024])  # 验证集：前 1,024 张的最后 256 张
    assert history[0]["val_acc"] == recipe.accuracy(network, x_val, y_val)
    loaded, loaded_history = cache.load(tmp_path / "m", config.activation)
    np.testing.assert_array_equal(distributed.flat_parameters(loaded), distributed.flat_parameters(network))
    assert loaded_history == history


def test_bad_inputs_have_clear_messages(tmp_path, mnist_dir):
    with pytest.raises(ValueError, match="RANK:STEP"):
        distributed._parse_fault("1-3")
    assert distributed._parse_fault("1:3") == (1, 3)
    with pytest.raises(FileNotFoundError, match="probe"):
        distributed.probe_results(tmp_path)
    with pytest.raises(data.MNISTDataError, match="不存在"):
        distributed.load_data(tmp_path / "missing")


def test_command_line_presets_and_overrides():
    parse = distributed.build_parser().parse_args
    config = distributed._config_from_args(parse(["train", "--preset", "best", "--epochs", "2"]))
    assert config == distributed.from_recipe(dataclasses.replace(recipe.BEST, epochs=2), nprocs=1)
    assert config.name().startswith("ddp-relu-e2-b256-")
    assert config.key() != dataclasses.replace(config, nprocs=2).key()  # 进程数不同，缓存项不同
    fast = distributed._config_from_args(parse(["train", "--preset", "fast"]))
    assert fast == distributed.from_recipe(recipe.FAST, nprocs=1)
    duo = distributed._config_from_args(parse(["train", "--preset", "duo"]))
    assert duo == distributed.from_recipe(recipe.DUO, nprocs=1) and duo.epochs == 16
    default = distributed._config_from_args(parse(["train"]))
    assert dataclasses.replace(default, nprocs=1) == distributed.from_recipe(recipe.ORIGINAL_FAST, nprocs=1)
    assert distributed._config_from_args(parse(["train", "--config", json.dumps(dataclasses.asdict(TINY))])) == TINY


def test_launch_command_is_the_documented_one():
    cmd = distributed.launch_command(["train", "--epochs", 2], nprocs=2, log_dir="logs", python="python")
    assert cmd[:7] == ["python", "-m", "paddle.distributed.launch", "--nproc_per_node", "2", "--log_dir", "logs"]
    assert cmd[7].endswith("lenet/distributed.py") and Path(cmd[7]).is_file()
    assert cmd[8:] == ["train", "--epochs", "2"]
