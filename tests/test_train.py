"""lenet.train：逐轮记录、评估、随机种子与训练结果缓存（用小数据真实训练）。"""

from dataclasses import replace

import numpy as np
import pytest

from lenet import cache, data, model, train

# 只用前 2000 张训练图：几秒就能真实训练完两轮
TINY = replace(train.ORIGINAL_CONFIG, activation="relu", epochs=2, train_samples=2000)


def test_history_has_one_entry_per_epoch(mnist_dir, cache_dir):
    _, history = train.fit(TINY, verbose=0)
    assert [h["epoch"] for h in history.epochs] == [1, 2]
    for h in history.epochs:
        assert set(h) == {"epoch", "train_loss", "train_acc", "test_loss", "test_acc"}
        assert 0 <= h["test_acc"] <= 1 and h["train_loss"] > 0
    assert history.epochs[1]["train_loss"] < history.epochs[0]["train_loss"]
    assert history.epochs[-1]["test_acc"] > 0.8


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


def test_seed_makes_training_repeatable(mnist_dir, cache_dir):
    """原笔记本的配置（批大小 64、Adam、打乱顺序）在 10,000 张图上训练一轮，两次的参数逐位相同。"""
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


def test_validation_configs_are_the_original_recipe_with_a_holdout():
    assert train.VALIDATION_CONFIG == replace(train.ORIGINAL_CONFIG, holdout=5000)
    assert train.RELU_VALIDATION_CONFIG == replace(train.RELU_CONFIG, holdout=5000)
    assert train.ORIGINAL_CONFIG.holdout == 0
