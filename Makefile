# 每个目标自己完成准备工作（建虚拟环境、装依赖），在全新克隆上直接可用。
#   make book         构建 HTML 书（执行每一章）       → _build/html/index.html
#   make test         全部测试（单元测试、各章 nbval、构建书、浏览器检查）
#   make test-compat  在 Paddle 2.6.2 环境里跑单元测试和各章（AI Studio 的版本）
PYTHON ?= python3
VENV ?= .venv
COMPAT_VENV ?= .venv-paddle26
PY := $(VENV)/bin/python
CPY := $(COMPAT_VENV)/bin/python

# 数据与缓存的位置通过环境变量交给 lenet 包；仓库旁有离线 MNIST 时用它（CI 与本机）。
LENET_DATA_DIR ?= $(wildcard $(abspath $(CURDIR)/../shared/data/mnist))
LENET_CACHE_DIR ?= $(CURDIR)/.cache/lenet
export LENET_DATA_DIR LENET_CACHE_DIR
export PYTHONHASHSEED = 0

BOOK_FLAGS = -W -n --keep-going

.PHONY: venv venv-compat book test test-unit test-notebooks test-compat lint clean

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

venv-compat: $(COMPAT_VENV)/.installed
$(COMPAT_VENV)/.installed: requirements-paddle26.txt
	test -x $(CPY) || $(PYTHON) -m venv $(COMPAT_VENV)
	$(CPY) -m pip install -q --upgrade pip
	$(CPY) -m pip install -q -r requirements-paddle26.txt
	touch $@

book: venv
	$(VENV)/bin/jupyter-book build $(BOOK_FLAGS) .

test-unit: venv
	$(PY) -m pytest tests -m "not browser"

test-notebooks: venv
	$(PY) -m pytest --nbval-lax --current-env notebooks

test: test-unit test-notebooks book

# 兼容环境：lenet 未安装，单元测试从 src/ 导入，各章靠第一格找到 src/；缓存与主环境分开。
test-compat: venv-compat
	PYTHONPATH=src $(CPY) -m pytest tests -m "not browser" -p no:cacheprovider
	LENET_CACHE_DIR=$(CURDIR)/.cache/lenet-paddle26 $(CPY) -m pytest --nbval-lax --current-env notebooks -p no:cacheprovider

lint: venv
	$(PY) -m pip install -q ruff
	$(VENV)/bin/ruff check src tests book/_ext

clean:
	rm -rf _build .cache
