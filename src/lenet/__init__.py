"""LeNet-5 手写数字识别课程的共享代码：数据（data）、模型（model）、训练（train、recipe）、训练结果缓存（cache）、
作图（viz，中文字体在 fonts）、Markdown 表格（tables）。
"""

import sys as _sys
import warnings as _warnings

# Paddle 2.x 若先于 zlib 被导入，之后在进程内解压 gzip 会段错误（inflateReset2）。
# 先导入 gzip 可避开；若读者先导入了 paddle，data 模块改在子进程里解压。
ZLIB_LOADED_BEFORE_PADDLE = "paddle" not in _sys.modules
import gzip  # noqa: E402,F401  isort: skip

__version__ = "0.1.0"  # 唯一写版本号的地方：pyproject.toml 从这里读取；改动时同时更新 CHANGELOG.md

# Paddle 导入时对学习者无意义的提示（没有 ccache），不让它出现在每一章的第一个输出里
_warnings.filterwarnings("ignore", message="No ccache found")
# paddle.Model 内部把张量再次 to_tensor 时的提示，与读者的代码无关
_warnings.filterwarnings("ignore", message="To copy construct from a tensor")
