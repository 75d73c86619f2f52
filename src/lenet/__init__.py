"""LeNet-5 手写数字识别课程的共享代码：数据（data）、模型（model）、训练（train）、作图（viz）。"""

# Paddle 2.x 若先于 zlib 被导入，之后读 gzip 会段错误；先导入 gzip 可避开（data 模块另有兜底）。
import gzip  # noqa: F401  isort: skip

__version__ = "0.1.0"

import warnings as _warnings

# Paddle 导入时对学习者无意义的提示（没有 ccache），不让它出现在每一章的第一个输出里
_warnings.filterwarnings("ignore", message="No ccache found")
