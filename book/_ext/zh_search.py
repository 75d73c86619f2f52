"""中文搜索：Sphinx 用 jieba 给正文分词建索引，但浏览器端不给查询分词，
所以“交叉熵”“手写数字”这样的课程术语必须在索引里作为整词出现。
这里把术语表 search_terms.txt 作为 jieba 用户词典交给 Sphinx。"""

from pathlib import Path

TERMS = Path(__file__).with_name("search_terms.txt")


def _configure(app, config):
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(TERMS)}


def setup(app):
    app.connect("config-inited", _configure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
