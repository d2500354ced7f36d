"""Database pages of the site: each database whose CSV, rows or place changed is rendered again."""
import hashlib
import os

from lib.core.notion_names import page_key
from lib.site import nav
from lib.site.history_pages import history_page
from lib.site.inline_db import preview_path
from lib.site.render import make_markdown
from lib.site.tables import render_database, rows_elsewhere
from lib.site.worker import write_atomic


def render_databases(index, plan, old, ctx, outputs):
    """Render every database whose CSV, rows or navigation changed; return their state."""
    md, renderer = make_markdown()
    renderer.titles, renderer.official = ctx["titles"], ctx["official"]
    dbs, elsewhere = {}, None
    plan["dbs_rendered"] = 0
    for key, entry in sorted(index.dbs.items()):
        main, out = entry["main"], entry["out"]
        db_key = plan["db_keys"][main]
        prev = old.get("dbs", {}).get(main)
        path = os.path.join(ctx["site"], out)
        if prev and prev["key"] == db_key and os.path.exists(path) and "preview" in prev and os.path.exists(
                os.path.join(ctx["site"], preview_path(out))):
            dbs[main] = prev
        else:
            if elsewhere is None:
                elsewhere = rows_elsewhere(index, ctx["titles"])
            article, info = render_database(entry, index, ctx["titles"], ctx["official"], renderer,
                                            ctx["props"], elsewhere)
            trail = nav.breadcrumbs(index, main, ctx["titles"], out)
            history = history_page(page_key(main)) if ctx.get("history") else None
            data = nav.page_shell(plan["titles"][main], article, out, trail, "db", history).encode("utf-8")
            write_atomic(path, data)
            preview = info["preview"].encode("utf-8")
            write_atomic(os.path.join(ctx["site"], preview_path(out)), preview)
            dbs[main] = {"key": db_key, "broken": info["broken"], "missing": info["missing"], "size": len(data),
                         "sha256": hashlib.sha256(data).hexdigest(),
                         "tokens": info["tokens"],
                         "preview": {"size": len(preview), "sha256": hashlib.sha256(preview).hexdigest()}}
            plan["dbs_rendered"] += 1
        outputs[out] = {"size": dbs[main]["size"], "sha256": dbs[main]["sha256"]}
        outputs[preview_path(out)] = dbs[main]["preview"]
    return dbs
