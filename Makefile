# 每个目标自己完成准备工作（建虚拟环境、装依赖），在全新克隆上直接可用。
#   make book         构建 HTML 书（执行每一章）       → _build/html/index.html
#   make student      学生版 HTML 书：去掉全部练习答案（不再执行，用 make book 的执行缓存）→ _build/student/html/index.html
#   make test         全部测试（代码检查、单元测试、各章 nbval、构建书与幻灯片、浏览器检查）
#   make slides       把每一章导出成离线 reveal.js 幻灯片（含备注与 PDF）→ _build/slides/index.html
#   make warm         课前预热：执行每一章，训练各章用到的全部模型并存进模型缓存（python -m lenet warm）
#   make test-compat  在 Paddle 2.6.2 环境里跑单元测试和各章（AI Studio 的版本）
#   make pdf          整本书的 PDF（单页 HTML 由 Chromium 打印，不再执行）→ _build/pdf/lenet-book.pdf
#   make dist         离线发布包：书、PDF、幻灯片、笔记本、src/ → _build/dist/lenet-course-<版本>.zip
#   make bench        基准测试：T_ref、FAST、BEST 与 DUO（两个进程）的多个随机种子、时间花在哪里（空闲的 2 核 CPU 上约 47 分钟）→ benchmarks/results.json
#   make search       验证集上的超参数搜索：三组候选与消融（16 个设置，两个进程，空闲的 2 核 CPU 上约 20 分钟）→ benchmarks/search.json
#   make lint         ruff 代码检查与格式检查（代码和各章的代码格）
PYTHON ?= python3
VENV ?= .venv
COMPAT_VENV ?= .venv-paddle26
PY := $(VENV)/bin/python
CPY := $(COMPAT_VENV)/bin/python

# 缓存位置通过环境变量交给 lenet 包；离线 MNIST 的目录由调用者设置 LENET_DATA_DIR（见 lenet.data、.ci/run）。
LENET_CACHE_DIR ?= $(CURDIR)/.cache/lenet
export LENET_CACHE_DIR
export PYTHONHASHSEED = 0

BOOK_FLAGS = -W -n --keep-going

# 与测试、slides/export.py 同一个查找办法（环境变量 CHROMIUM，否则 PATH 里的 chromium）
CHROMIUM := $(shell $(PYTHON) tools/chromium.py)
NPM := $(shell command -v npm)

.PHONY: venv venv-compat book student warm slides pdf dist test test-unit test-notebooks test-built test-compat bench search lint clean

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt pyproject.toml src/lenet/__init__.py  # __init__.py 里有版本号
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

# 学生版：同样的 -W -n --keep-going 构建，只多 hide_solutions（book/_ext/student_edition.py）；再执行笔记本即报错
student: book
	$(PY) tools/student_book.py

# 课前预热：各章经模型缓存取得模型，执行一遍每一章就训练好了全部模型（已有的直接读取）
warm: venv
	$(PY) -m lenet warm

# 幻灯片用书构建时已执行的笔记本（_build/jupyter_execute），与书中输出一致；reveal.js 等来自 npm（版本锁定）
slides: book slides/node_modules/.installed
	$(PY) slides/export.py $(if $(CHROMIUM),--pdf)

slides/node_modules/.installed: slides/package.json slides/package-lock.json
	cd slides && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# 整本书的 PDF：与 HTML 书共用执行缓存（singlehtml 构建），无头 Chromium 打印；需要 Chromium
pdf: book
	$(PY) tools/book_pdf.py

# 离线发布包：测试过的 Paddle 版本从两个测试环境读出，所以也要 .venv-paddle26
dist: pdf slides venv-compat
	$(PY) tools/dist.py

# 单元测试按 CPU 核数并行（pytest-xdist）；每个测试用自己的临时缓存目录，互不干扰。
# 测试一个个分发，标了 long 的最先开始（tests/conftest.py），两个核差不多同时做完
UNIT = -m "not browser and not book" -n auto --maxschedchunk 1

test-unit: venv
	$(PY) -m pytest tests $(UNIT)

# 每章一个内核，按 CPU 核数并行执行（Paddle 每个进程只用一个线程）；同一个模型由缓存锁保证只训练一次
NBVAL = --nbval-lax --current-env -n auto --dist loadfile --no-loadscope-reorder
# 按这个顺序分给两个进程（xdist 默认按格数排序）：第 9 章一开头就训练快速配方 FAST、第 6 章训练原笔记本的配置，
# 两个最长的训练同时开始；第 7、8 章要用这两个模型，排在后面直接读缓存，不必等锁。其余各章（含新加的）随后。
NB_FIRST = $(patsubst %,notebooks/%.ipynb,09_deploy 06_train_evaluate 10_distributed 08_beyond_1998 07_visualization)
NOTEBOOKS = $(NB_FIRST) $(filter-out $(NB_FIRST),$(sort $(wildcard notebooks/*.ipynb)))

# 通过验证的执行结果直接存进书的 jupyter-cache（tests/nbval_book_cache.py），随后构建书时不再执行第二遍
test-notebooks: venv
	$(PY) -m pytest $(NBVAL) -p tests.nbval_book_cache --book-cache _build/.jupyter_cache $(NOTEBOOKS)

# 检查构建结果：各章执行输出；像读者一样在浏览器里打开书和幻灯片（没有 Chromium 时跳过，CI 上则失败）。
# 逐个测试分给各核（书和学生版每页一个测试），每个进程开自己的 Chromium；共用模块级 PDF 文字、离线包、
# 演示页的测试标了 xdist_group，整组分给同一个进程
test-built: venv
	$(PY) -m pytest tests -m "book or browser" -n auto --dist loadgroup

# 没有 Node.js/npm 的机器上只构建书、不导出幻灯片（幻灯片的浏览器测试随之跳过；CI 上有 npm）。
# 代码检查、单元测试、各章执行依次进行（make -j test 时三者并行）；书在它们之后另一次 make 里构建（-j 时也是），
# 复用 test-notebooks 存进 jupyter-cache 的结果，不再执行各章。
# 书建好以后（-o book：各条线都不再构建它），学生版（输出、doctrees、jupyter_execute 都在 _build/student 下）、
# 幻灯片（_build/slides）与有 Chromium 时整本书的 PDF（_build/singlehtml、_build/pdf，再把 PDF 放进 _build/html）
# 三条线同时构建，不写同一个文件，都只读执行缓存；都成功后，Chromium 和 npm 都有时才打离线包（-o：不再构建幻灯片和 PDF）。
# 检查构建结果在这一切之后：顺序写在命令里，而不是靠依赖列表的先后。
# 兼容环境只有离线包要用（读它的 Paddle 版本）：与主环境同时在后台安装（pip 只用一个核，两个安装各占一个核，
# 不再与单元测试争 CPU）；日志在 _build/venv-compat.log，安装失败时打印出来。已装好时它立即结束。
BUILT := $(if $(NPM),slides,book)
test:
	@mkdir -p _build
	$(MAKE) --no-print-directory venv-compat > _build/venv-compat.log 2>&1 & compat=$$!; \
	$(MAKE) --no-print-directory venv && $(MAKE) --no-print-directory lint test-unit test-notebooks \
	  && $(MAKE) --no-print-directory book; status=$$?; \
	wait $$compat || { cat _build/venv-compat.log; exit 1; }; exit $$status
	$(MAKE) --no-print-directory -o book student & pids=$$!; \
	$(if $(CHROMIUM),$(MAKE) --no-print-directory -o book pdf & pids="$$pids $$!";) \
	$(MAKE) --no-print-directory -o book $(BUILT); status=$$?; \
	for pid in $$pids; do wait $$pid || status=1; done; exit $$status
	$(if $(and $(NPM),$(CHROMIUM)),$(MAKE) --no-print-directory -o book -o slides -o pdf dist)
	$(MAKE) --no-print-directory test-built

# 兼容环境：lenet 未安装，单元测试从 src/ 导入，各章靠第一格找到 src/。
# 各章与主环境共用模型缓存（Paddle 2.6 读得了 3.x 存的参数）：make test 之后运行时，各章的每一格都在 2.6 上执行，
# 但模型直接读缓存，不在 2.6 上再训练一遍；2.6 上的训练由单元测试（小配置）和第 6 章的 Model.fit 演示覆盖。
# 要在 2.6 上从头训练每个模型：make test-compat LENET_CACHE_DIR=$$PWD/.cache/lenet-paddle26
test-compat: venv-compat
	PYTHONPATH=src $(CPY) -m pytest tests $(UNIT) -p no:cacheprovider
	$(CPY) -m pytest $(NBVAL) $(NOTEBOOKS) -p no:cacheprovider

# 在全新的临时缓存里训练（时间是这一次测的），再把模型复制进 LENET_CACHE_DIR；机器空闲时跑。
# 一个进程一个线程：各次训练互不干扰，T_ref 与配方在同样的设置下比较（其他线程设置在基准的第 4 节里比较）。
# 结果 benchmarks/results.json 提交进仓库，附录一章读取它。
bench: venv
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) benchmarks/bench.py --out benchmarks/results.json

# 训练集最后 5,000 张作验证集，两组候选各选一个配方，再做消融（附录一章读取结果）；两个进程各一个线程同时训练。
search: venv
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) benchmarks/search.py --jobs 2 --out benchmarks/search.json

# 代码和各章的代码格都要通过 ruff 检查与格式检查（修复：ruff check --fix 与 ruff format，或 pre-commit）
LINT_PATHS = src tests book/_ext slides tools benchmarks notebooks
lint: venv
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

clean:
	rm -rf _build .cache
