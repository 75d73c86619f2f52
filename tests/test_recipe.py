"""lenet.recipe：整批数据增强、学习率调度与内存张量训练循环。"""

from dataclasses import replace

import numpy as np
import paddle
import pytest

from lenet import cache, model, recipe, train

TINY = replace(recipe.BEST, epochs=2, train_samples=6000, holdout=1000)


def _digits(n=4):
    x = np.zeros((n, 28, 28), dtype=np.uint8)
    x[:, 8:20, 12:16] = 255  # 一个竖条，像数字 1
    return recipe.to_tensors(x, np.ones(n))[0]


def test_augment_without_change_is_identity():
    x = _digits()
    y = recipe.augment(x, max_rotation=0, max_scale=0, max_shift=0)
    np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-5)


def test_augment_keeps_shape_range_and_background():
    paddle.seed(0)
    x = _digits(16)
    y = recipe.augment(x).numpy()
    assert y.shape == (16, 1, 28, 28)
    assert y.min() >= -1 - 1e-5 and y.max() <= 1 + 1e-5
    assert np.allclose(y[:, :, 0, :], -1, atol=1e-5)  # 边缘补的是背景（−1）
    assert not np.allclose(y, x.numpy())  # 真的变了
    # 像素总量（笔画“墨水”）大致守恒：只做了轻微的仿射变换
    ink = (y + 1).sum(axis=(1, 2, 3)) / (x.numpy() + 1).sum(axis=(1, 2, 3))
    assert np.all((ink > 0.75) & (ink < 1.3))


def test_elastic_distortion_bends_strokes_locally():
    paddle.seed(1)
    x = _digits(16)
    y = recipe.augment(x, max_rotation=0, max_scale=0, max_shift=0, elastic=2.0).numpy()
    assert y.shape == tuple(x.shape) and y.min() >= -1 - 1e-5 and y.max() <= 1 + 1e-5
    assert not np.allclose(y, x.numpy(), atol=1e-3)
    ink = (y + 1).sum(axis=(1, 2, 3)) / (x.numpy() + 1).sum(axis=(1, 2, 3))
    assert np.all((ink > 0.6) & (ink < 1.7))  # 局部拉伸、压缩改变笔画面积，但笔画还在
    # 位移不超过 2 像素：离竖条 3 个像素以外的地方仍是背景
    assert np.allclose(y[:, :, :, :9], -1, atol=1e-5) and np.allclose(y[:, :, :, 19:], -1, atol=1e-5)
    config = replace(recipe.BEST, max_rotation=0, max_scale=0, max_shift=0, elastic=0.0)
    np.testing.assert_allclose(config.augment_batch(x).numpy(), x.numpy(), atol=1e-5)


def test_added_fields_at_their_default_keep_old_cache_keys():
    base = recipe.PREVIOUS
    assert base.elastic == recipe.RecipeConfig.added_fields["elastic"]
    assert cache.config_key(base) != cache.config_key(replace(base, elastic=2.0))
    assert base.key() == "f0525a6ab195"  # 加 elastic 字段之前，上一版配方（种子 0）的缓存键


def test_onecycle_schedule_peaks_at_the_configured_rate():
    opt, sched = recipe.make_optimizer(recipe.BEST, model.LeNet("relu"), steps=100)
    rates = []
    for _ in range(100):
        rates.append(sched.get_lr())
        sched.step()
    assert max(rates) == pytest.approx(recipe.BEST.learning_rate, rel=1e-3)
    assert rates[0] == pytest.approx(recipe.BEST.learning_rate / 25, rel=1e-3)
    assert rates[-1] < recipe.BEST.learning_rate / 100
    assert isinstance(opt, paddle.optimizer.AdamW)
    opt, sched = recipe.make_optimizer(recipe.ORIGINAL_FAST, model.LeNet(), steps=10)
    assert sched is None and isinstance(opt, paddle.optimizer.Adam)


@pytest.mark.long(5)
def test_fit_records_each_epoch_and_learns(mnist_dir):
    network, history = recipe.fit(TINY, log=None)
    assert [h["epoch"] for h in history] == [1, 2]
    assert set(history[0]) == {"epoch", "train_loss", "seconds", "test_acc", "val_acc"}
    assert history[1]["seconds"] > history[0]["seconds"] > 0
    assert history[-1]["test_acc"] > 0.85
    assert model.count_parameters(network) == 44426
    # 训练循环与 lenet.train.evaluate 的准确率一致（同一归一化）
    assert train.evaluate(network)["acc"] == pytest.approx(history[-1]["test_acc"], abs=1e-9)


def test_recipe_models_go_through_the_shared_cache(mnist_dir, cache_dir):
    cfg = replace(TINY, epochs=1, holdout=0)
    net, hist, from_cache = cache.trained(cfg, verbose=0)
    again, hist2, from_cache2 = cache.trained(cfg, verbose=0)
    assert not from_cache and from_cache2 and hist == hist2
    assert cfg.name().startswith("recipe-relu") and cfg.key() != train.ORIGINAL_CONFIG.key()
