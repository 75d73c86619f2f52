"""``python -m lenet``：命令行入口，见 :mod:`lenet.cli`。"""

import sys

from .cli import main

sys.exit(main())
