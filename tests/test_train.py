"""lenet.train：逐轮记录、评估、随机种子与训练结果缓存（用小数据真实训练）。"""

from dataclasses import asdict, replace

import numpy as np
import pytest

from lenet import cache, data, model, train

# 只用前 2000 张训练图（不留验证集）：几秒就能真实训练完两轮
TINY = replace(train.ORIGINAL_CONFIG, activation="relu", epochs=2, train_samples=2000, holdout=0)


def test_history_has_one_entry_per_epoch(mnist_dir, cache_dir):
    _, history = train.fit(TINY, verbose=0)
    assert [h["epoch"] for h in history.epochs] == [1, 2]
    for h in history.epochs:
        assert set(h) == {"epoch", "train_loss", "train_acc", "test_loss", "test_acc"}
        assert 0 <= h["test_acc"] <= 1 and h["train_loss"] > 0
    assert history.epochs[1]["train_loss"] < history.epochs[0]["train_loss"]
    assert history.epochs[-1]["test_acc"] > 0.8


@pytest.mark.long(5)
def test_cache_is_reused_and_keyed_by_config(mnist_dir, cache_dir, monkeypatch):
    net, hist, from_cache = cache.trained(TINY, verbose=0)
    assert not from_cache and len(hist) == 2
    acc = train.evaluate(net)["acc"]

    def no_training(*args, **kwargs):
        raise AssertionError("cached model should have been reused")

    monkeypatch.setattr(train, "fit", no_training)
    again, hist2, from_cache = cache.trained(TINY, verbose=0)
    assert from_cache and hist2 == hist
    assert train.evaluate(again)["acc"] == pytest.approx(acc)
    # 改变任何设置都会换一个缓存项，于是需要重新训练
    with pytest.raises(AssertionError, match="reused"):
        cache.trained(replace(TINY, learning_rate=2e-3), verbose=0)
    assert len([p for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]) == 1


@pytest.mark.long(7)
def test_seed_makes_training_repeatable(mnist_dir, cache_dir):
    """原笔记本的配置在前 10,000 张图（后 5,000 张作验证集）上训练一轮，两次的参数逐位相同。"""
    one_epoch = replace(train.ORIGINAL_CONFIG, epochs=1, train_samples=10000)
    a, ha = train.fit(one_epoch, verbose=0)
    b, hb = train.fit(one_epoch, verbose=0)
    assert ha.epochs == hb.epochs
    pa, pb = a.network.state_dict(), b.network.state_dict()
    assert pa.keys() == pb.keys()
    for name in pa:
        np.testing.assert_array_equal(pa[name].numpy(), pb[name].numpy(), err_msg=name)
    assert train.evaluate(a)["acc"] == train.evaluate(b)["acc"]


def test_evaluate_matches_paddle_model(mnist_dir, cache_dir):
    from lenet import data

    m = train.prepare(model.LeNet())
    ours = train.evaluate(m)
    # paddle.Model.evaluate 的 acc 是整个测试集上的准确率
    theirs = m.evaluate(data.mnist_dataset("test"), batch_size=500, verbose=0)
    assert ours["acc"] == pytest.approx(float(np.ravel(theirs["acc"])[0]), abs=1e-6)
    logits = train.predict_logits(m.network, data.load_numpy("test")[0][:7])
    assert logits.shape == (7, 10) and np.isfinite(logits).all()


def test_holdout_evaluates_on_the_last_training_images_not_the_test_set(mnist_dir, cache_dir):
    """holdout > 0：训练集最后 holdout 张作验证集，每轮记录 val_*，不碰测试集。"""
    config = replace(TINY, holdout=500)
    fit_part, val_part = train.split_train(config)
    assert len(fit_part) == 1500 and len(val_part) == 500
    images, labels = data.load_numpy("train")
    # 验证集就是前 2000 张中的最后 500 张（数据集已归一化，比较标签）
    assert [int(val_part[i][1][0]) for i in (0, 499)] == [labels[1500], labels[1999]]
    _, history = train.fit(config, verbose=0)
    for h in history.epochs:
        assert set(h) == {"epoch", "train_loss", "train_acc", "val_loss", "val_acc"}
        assert 0 <= h["val_acc"] <= 1 and h["val_loss"] > 0
    assert history.epochs[-1]["val_acc"] > 0.7
    assert config.key() != TINY.key()


def test_holdout_must_leave_training_images():
    with pytest.raises(ValueError, match="holdout"):
        train.split_train(replace(TINY, holdout=2000))


def test_original_config_holds_out_the_last_5000_training_images():
    """原笔记本的配方只有一份：留出最后 5,000 张作验证集；ReLU、1 轮的循环、MLP 都由它派生。"""
    c = train.ORIGINAL_CONFIG
    assert (c.activation, c.epochs, c.batch_size, c.learning_rate, c.holdout) == ("sigmoid", 5, 64, 1e-3, 5000)
    assert c.train_samples is None and train.HOLDOUT == 5000
    assert train.RELU_CONFIG == replace(c, activation="relu")
    assert train.RELU_SHORT_CONFIG == replace(train.RELU_CONFIG, epochs=1)
    assert asdict(train.LOOP_CONFIG) == asdict(replace(c, epochs=1))
    assert asdict(train.MLP_CONFIG) == {**asdict(c), "hidden": 56}
    assert len({train.LOOP_CONFIG.key(), train.MLP_CONFIG.key(), c.key()}) == 3
    assert not hasattr(train, "VALIDATION_CONFIG") and not hasattr(train, "RELU_VALIDATION_CONFIG")


def test_basic_api_loop_matches_model_fit_bit_for_bit(mnist_dir):
    """loop_fit（DataLoader、backward、step、clear_grad）与 Model.fit：同样的种子，参数与逐轮记录相同。"""
    small = replace(train.ORIGINAL_CONFIG, train_samples=1280, holdout=256, epochs=2)
    m, history = train.fit(small, verbose=0)
    net, loop_history = train.loop_fit(small, log=None)
    for a, b in zip(m.network.parameters(), net.parameters()):
        assert np.array_equal(a.numpy(), b.numpy())
    assert len(loop_history) == 2
    for theirs, ours in zip(history.epochs, loop_history):
        assert set(ours) == set(theirs)
        assert ours["train_loss"] == theirs["train_loss"] and ours["train_acc"] == theirs["train_acc"]
        assert ours["val_acc"] == theirs["val_acc"]
        assert ours["val_loss"] == pytest.approx(theirs["val_loss"], rel=1e-5)  # 评估的批大小不同
    assert not net.training  # 训练结束切到评估模式


def test_loop_and_mlp_configs_train_through_the_cache(mnist_dir, cache_dir):
    tiny_loop = replace(train.LOOP_CONFIG, train_samples=640, holdout=128)
    net, hist, from_cache = cache.trained(tiny_loop, verbose=0)
    assert not from_cache and len(hist) == 1 and isinstance(net, model.LeNet)
    assert cache.trained(tiny_loop, verbose=0)[2]
    tiny_mlp = replace(train.MLP_CONFIG, train_samples=2000, holdout=500, epochs=2)
    mlp, hist, _ = cache.trained(tiny_mlp, verbose=0)
    again, hist2, from_cache = cache.trained(tiny_mlp, verbose=0)
    assert from_cache and isinstance(again, model.MLP) and hist2 == hist
    assert model.count_parameters(again) == 44530
    assert hist[-1]["val_acc"] > 0.7
    images = data.load_numpy("test")[0][:50]
    assert np.array_equal(train.predict_logits(mlp, images), train.predict_logits(again, images))
