"""lenet.cache：缓存键覆盖配置的每一个字段（训练与读取缓存的测试在 test_train.py、test_recipe.py）。"""

from dataclasses import asdict, dataclass, fields, replace
from typing import ClassVar

import pytest

from lenet import recipe, train

CONFIGS = [train.ORIGINAL_CONFIG, recipe.BEST]


def _changed(value):
    """同类型的另一个值；新字段的类型这里没有时测试报错，提醒补上。"""
    if isinstance(value, bool):
        return not value
    if value is None:
        return 1000
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "-changed"
    raise TypeError(f"不知道怎样改变 {value!r}：在 _changed 里加上这个类型")


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: type(c).__name__)
def test_every_field_changes_the_key(config):
    names = [f.name for f in fields(config)]
    assert len(names) >= 6
    keys = {"(default)": config.key()}
    for name in names:
        other = replace(config, **{name: _changed(getattr(config, name))})
        keys[name] = other.key()
        assert other.name() != config.name()
    assert len(set(keys.values())) == len(keys), keys  # 每个字段各自得到不同的键
    assert replace(config).key() == config.key()  # 同样的内容，同样的键


def test_same_fields_in_another_config_class_get_another_key():
    """两种训练方式的配置即使字段值完全一样，也不能共用缓存项（键里有类名）。"""

    @dataclass(frozen=True)
    class OtherWay(train.TrainConfig):
        prefix: ClassVar[str] = "other"

    twin = OtherWay(**asdict(train.ORIGINAL_CONFIG))
    assert asdict(twin) == asdict(train.ORIGINAL_CONFIG)
    assert twin.key() != train.ORIGINAL_CONFIG.key()
