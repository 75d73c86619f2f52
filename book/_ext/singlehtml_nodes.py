"""让单页 HTML（--builder singlehtml，make pdf 用它）认识只为 html 注册的节点。

Sphinx 先找按构建器名（singlehtml）注册的节点处理函数，只有一个都没有时才退回 html；
有扩展为 singlehtml 注册了自己的节点后，myst-nb 的 HideCodeCellNode 等就找不到处理函数而报错。
"""


def _inherit_html_handlers(app):
    if app.builder.name != "singlehtml":
        return
    handlers = app.registry.translation_handlers
    own = handlers.setdefault("singlehtml", {})
    for name, pair in handlers.get("html", {}).items():
        own.setdefault(name, pair)


def setup(app):
    app.connect("builder-inited", _inherit_html_handlers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
