"""Render a chunk of pages in a worker process and write their HTML files."""
import ctypes
import hashlib
import os
import signal

from lib.core.filenames import temp_name
from lib.core.notion_names import page_key
from lib.site.history_pages import history_page
from lib.site.nav import breadcrumbs, page_shell
from lib.site.nav_parts import nav_key
from lib.site.render import make_markdown, render_page, split_page
from lib.site.search import pack, weighed_tokens

_CTX = {}


def write_atomic(path, data):
    """Write bytes through a temporary name and os.replace (no fsync: the build syncs once)."""
    folder, name = os.path.split(path)
    tmp = os.path.join(folder, temp_name(name, ".", ".%d.part" % os.getpid()))
    try:
        try:
            handle = open(tmp, "wb")
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
            handle = open(tmp, "wb")
        with handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _die_with_parent():
    """Linux: have the kernel end this worker when the build process dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers still exit when their queue closes
        pass


def init_worker(ctx):
    """Keep the shared build context and one Markdown parser in this process."""
    _die_with_parent()
    _CTX.clear()
    _CTX.update(ctx)
    _CTX["md"], _CTX["renderer"] = make_markdown()
    _CTX["renderer"].titles, _CTX["renderer"].official = ctx["titles"], ctx["official"]
    _CTX["crumbs"] = {}


def render_chunk(srcs):
    """Render pages `srcs`, write them, and return {src: info} with title, tokens and links."""
    index, titles = _CTX["index"], _CTX["titles"]
    md, renderer, crumbs = _CTX["md"], _CTX["renderer"], _CTX["crumbs"]
    results = {}
    for src in srcs:
        with open(os.path.join(_CTX["official"], src), "rb") as handle:
            text = handle.read().decode("utf-8", errors="replace")
        is_row = index.kind.get(index.parent.get(src)) == "db"
        title, article, info = render_page(md, renderer, text, src, index, is_row)
        out = index.out[src]
        # Pages of one folder under one parent share their breadcrumbs.
        key = (index.parent.get(src), out.rpartition("/")[0])
        trail = crumbs.get(key)
        if trail is None:
            trail = crumbs[key] = breadcrumbs(index, src, titles, out)
        history = history_page(page_key(src)) if _CTX.get("history") else None
        key = None if is_row else nav_key(src)     # rows are not in the sidebar: their table is
        data = page_shell(title, article, out, trail, "page", history, key).encode("utf-8")
        write_atomic(os.path.join(_CTX["site"], out), data)
        info["title"] = title
        info["tokens"] = pack(split_page(text, "")[1], *weighed_tokens(title + "\n" + text))
        info["size"] = len(data)
        info["sha256"] = hashlib.sha256(data).hexdigest()
        results[src] = info
    return results
