"""去掉页面里重复的 <script>：sphinx-thebe 的内联配置在 Jupyter Book v1 中会被加两次，
浏览器随即报 “Identifier 'THEBE_JS_URL' has already been declared”。"""


def _dedupe(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for js in context.get("script_files", []):
        key = (getattr(js, "filename", None) or "", tuple(sorted((getattr(js, "attributes", None) or {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
