"""附录里的图也按“章”编号：notebooks/08_xxx 的第 1 张图是“图 8.1”，而不是 Sphinx 默认的全书连续编号“图 1”。

编号的 1–7 章由 numfig 按章号编号（numfig_secnum_depth: 1）。附录（08–10）不在编号的目录部分里，
Sphinx 就把其中所有的图连成一个序列（图 1、图 2……，第 9 个笔记本里会出现“图 6”，与第 6 章的图 6.x 相混）。
正文一直把这几个附录称作“第 8 章”“第 9 章”“第 10 章”（文件编号），所以它们的图用文件编号作章号。
"""

import re

APPENDIX = re.compile(r"^notebooks/(\d+)_")


def _renumber(app, env):
    changed = []
    for docname, by_type in env.toc_fignumbers.items():
        match = APPENDIX.match(docname)
        if not match or env.toc_secnumbers.get(docname):  # 有章号的章节保持 Sphinx 的编号
            continue
        chapter = int(match.group(1))
        for figtype, numbers in by_type.items():
            order = sorted(numbers, key=lambda fig_id: numbers[fig_id])  # 默认编号就是在本文档中出现的顺序
            by_type[figtype] = {fig_id: (chapter, i) for i, fig_id in enumerate(order, 1)}
        changed.append(docname)
    return changed  # 这些文档要重写（图号和引用都变了）


def setup(app):
    app.connect("env-get-updated", _renumber, priority=900)  # 在 Sphinx 分配完图号（默认优先级 500）之后
    return {"parallel_read_safe": True, "parallel_write_safe": True}
