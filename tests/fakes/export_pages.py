"""What the fake export's files hold: page Markdown, database CSVs and attachments, as Notion writes them.

Shapes taken from real Markdown & CSV exports: row pages start with a `Name: value` property block
(Files & media as percent-encoded paths beside the page, several joined by ", "; URL, e-mail and phone
values; relations as `Title (path.md)`); databases come as `X <id>.csv` (the view's columns) and
`X <id>_all.csv` (every column) with a UTF-8 BOM; callouts are `<aside>` blocks whose icon is an
`<img>` (Notion's remote icon, or an uploaded one beside the page) or an emoji; a mention of a database
is a link without text to its path with `.md`; a linked view of a database is a CSV in the page's
folder whose rows live under the source database's folder.
"""
import csv
import io
import os
import random
import struct
import zipfile
import zlib
from urllib.parse import quote

CHUNK = 1 << 20
PAD_CHUNK = b"npAd"  # lower-case first letter: ancillary, safe to skip
WORDS = ("alpha beta gamma delta notion backup export page block table link share team plan week "
         "draft review idea goal task done todo status owner date note text").split()
ICONS = ("light-bulb_yellow", "push-pin_gray", "info-alternate_blue", "cursor-click_gray")
ALL_COLUMNS = ["Name", "Status", "Tags", "Files & media", "Website", "Email", "Phone", "Related", "Created",
               "Owner"]
VIEW_COLUMNS = ["Name", "Status", "Tags", "Created"]
LINKED_VIEW_COLUMNS = ["Name", "Status", "Created"]


def relative(folder, target):
    """Return `target` relative to `folder` (both export-relative), as a POSIX path."""
    return os.path.relpath(target, folder or ".").replace(os.sep, "/")


def folder_of(path):
    """Return the folder part of an export-relative file path ('' at the root)."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


def sentence(rng, low=8, high=30):
    """Return one sentence of filler words."""
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))) + "."


def row_values(ws, row):
    """Return {column: value} of a database row; paths relative to the export root (made relative later)."""
    rng = random.Random(f"{row.id}-props")
    n = row.index
    values = {
        "Status": "Done" if n % 3 else "Todo",
        "Tags": ", ".join(sorted({rng.choice(WORDS) for _ in range(rng.randint(1, 3))})),
        "Website": f"https://example.com/{rng.choice(WORDS)}/{n}" if n % 2 else "",
        "Email": f"{rng.choice(WORDS)}.{n}@example.com" if n % 4 != 1 else "",
        "Phone": f"+1 555 01{n % 100:02d}" if n % 3 != 2 else "",
        "Created": f"November {1 + n % 28}, 2026",
        "Owner": rng.choice(WORDS),
    }
    return values


def file_paths(ws, row):
    """Return the export-relative paths (or web addresses) of a row's Files & media value."""
    folder = ws.paths()[row.parent][1] or ""
    return [name if name.startswith("https://") else folder + name for name, _ in row.files]


def related_rows(ws, row):
    """Return the rows a row relates to that are in this export."""
    return [i for i in row.related if i in ws.paths()]


def property_block(ws, row, here):
    """Return the `Name: value` lines under a row page's title (Notion omits empty values)."""
    values, folder, paths = row_values(ws, row), folder_of(here), ws.paths()
    values["Files & media"] = ", ".join(p if p.startswith("https://") else quote(relative(folder, p))
                                        for p in file_paths(ws, row))
    values["Related"] = ", ".join(f"{ws.nodes[i].title} ({quote(relative(folder, paths[i][0]))})"
                                  for i in related_rows(ws, row))
    return [f"{name}: {values[name]}" for name in ALL_COLUMNS[1:] if values.get(name)]


def callout(ws, node, rng):
    """Return the lines of the page's callout in one of the shapes Notion exports."""
    text = sentence(rng, 6, 14)
    if node.callout == 0:
        return ["<aside>", f"💡 {text} **{rng.choice(WORDS)}**", "", "</aside>", ""]
    if node.callout == 3:
        here = ws.paths()[node.index]
        icon = quote(relative(folder_of(here[0]), here[1] + "icon.png"))
        return ["<aside>", f'<img src="{icon}" alt="{icon}" width="40px" /> {text}', "", "</aside>", ""]
    url = f"https://www.notion.so/icons/{ICONS[node.index % len(ICONS)]}.svg"
    img = f'<img src="{url}" alt="{url}" width="40px" />'
    if node.callout == 1:
        return ["<aside>", f"{img} {text}", "", "</aside>", ""]
    return ["<aside>", img, "", f"### {rng.choice(WORDS).capitalize()}", "", f"- {text}",
            f"- {sentence(rng, 3, 6)}", "</aside>", ""]


def page_text(ws, node, here):
    """Return the Markdown of a page or row page at export path `here`."""
    rng = random.Random(node.id)
    lines = [f"# {node.title}", ""]
    if node.kind == "row":
        lines += property_block(ws, node, here) + [""]
    paragraphs = [sentence(rng) for _ in range(rng.randint(1, 4))]
    if node.rev:
        # A person's edit: one paragraph rewritten, the rest of the page as it was.
        paragraphs[0] = f"Edited on day {node.rev}: " + sentence(random.Random(f"{node.id}-{node.rev}"))
    for paragraph in paragraphs:
        lines += [paragraph, ""]
    if node.callout is not None:
        lines += callout(ws, node, rng)
    paths, folder = ws.paths(), folder_of(here)
    for pick in node.links:
        if pick in paths:
            lines.append(f"[{ws.nodes[pick].title}]({quote(relative(folder, paths[pick][0]))})")
    for child in node.children:
        kid = ws.nodes[child]
        if child in paths and kid.kind == "db":
            # Notion mentions a database with a link without text, to its name with '.md'.
            lines.append(f"[]({quote(relative(folder, paths[child][0][:-4] + '.md'))})")
        elif child in paths and kid.kind == "view":
            lines.append(f"[{kid.title}]({quote(relative(folder, paths[child][0]))})")
    if node.index == 0:
        lines.append("[](https://example.com/)")
    own_folder = paths[node.index][1]
    for name, kind in node.attachments:
        if kind == "icon":
            continue
        link = quote(relative(folder, own_folder + name))
        lines.append(f"![{name}]({link})" if kind == "png" else f"[{name}]({link})")
    text = "\n".join(lines) + "\n"
    if ws.page_bytes and len(text) < ws.page_bytes:
        text += ("lorem ipsum " * (ws.page_bytes // 12 + 1))[: ws.page_bytes - len(text) - 1] + "\n"
    return text.encode("utf-8")


def csv_bytes(header, rows):
    """Return a table as Notion writes its CSV: UTF-8 with a byte-order mark, \\n line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def cell_path(db, folder, path):
    """Return a path as a database's CSV names it: from the CSV's folder, or (a database in a folder of its
    own, as a 2024 export writes one) from the export's root, '&' left as it is."""
    return quote(path, safe="/&") if db.own_folder else quote(relative(folder, path))


def database_csv(ws, node, all_columns):
    """Return a database's CSV: the view's columns, or every column for `_all.csv`; rows in Notion's order."""
    folder, paths = folder_of(ws.paths()[node.index][0]), ws.paths()
    header = ALL_COLUMNS if all_columns else VIEW_COLUMNS
    rows = []
    for i in node.children:
        child = ws.nodes[i]
        if i not in paths or child.kind != "row":
            continue
        values = dict(row_values(ws, child), Name=child.title)
        values["Files & media"] = ", ".join(p if p.startswith("https://") else cell_path(node, folder, p)
                                            for p in file_paths(ws, child))
        values["Related"] = ", ".join(f"{ws.nodes[r].title} ({cell_path(node, folder, paths[r][0])})"
                                      for r in related_rows(ws, child))
        rows.append([values.get(column, "") for column in header])
    return csv_bytes(header, rows)


def linked_view_csv(ws, view, all_columns):
    """Return the CSV of a linked view: the source database's done rows, fewer columns."""
    source, paths = ws.nodes[view.source], ws.paths()
    header = ALL_COLUMNS[:3] + ALL_COLUMNS[-2:] if all_columns else LINKED_VIEW_COLUMNS
    rows = []
    for i in source.children:
        child = ws.nodes[i]
        if i in paths and child.kind == "row" and row_values(ws, child)["Status"] == "Done":
            values = dict(row_values(ws, child), Name=child.title)
            rows.append([values.get(column, "") for column in header])
    return csv_bytes(header, rows)


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_image(seed, side=24):
    """Return (signature + IHDR + IDAT, IEND chunk) of a small one-colour RGB PNG."""
    colour = bytes(random.Random(seed).randrange(256) for _ in range(3))
    rows = b"".join(b"\x00" + colour * side for _ in range(side))
    head = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + _png_chunk(b"IDAT", zlib.compress(rows)))
    return head, _png_chunk(b"IEND", b"")


def attachment(node, name, kind, attachment_bytes):
    """Return (size, bytes or chunk iterator) of an attachment: a real PNG or PDF padded to size, a zip, or HTML."""
    if kind == "html":  # a page-like attachment with a script, named like its page's site output (hostile)
        data = f"<html><script>document.title = 'attachment of {node.id}'</script></html>".encode()
        return len(data), data
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as inner:
            # A fixed timestamp keeps the attachment byte-identical across exports.
            inner.writestr(zipfile.ZipInfo("inner.txt", date_time=(2024, 1, 1, 0, 0, 0)),
                           f"user data of {node.title}\n")
        return len(buf.getvalue()), buf.getvalue()
    seed = f"{node.id}-{name}"
    png = kind in ("png", "icon")
    if png:
        # A real image, then a private ancillary chunk that brings the file to its size (decoders skip it).
        image, end = _png_image(seed)
        head, tail = image + b"\x00\x00\x00\x00" + PAD_CHUNK, b"\x00\x00\x00\x00" + end
    else:
        head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
    size = max(attachment_bytes if kind != "icon" else 0, len(head) + len(tail))
    left = size - len(head) - len(tail)

    def chunks():
        rng, todo, crc = random.Random(seed), left, zlib.crc32(PAD_CHUNK)
        yield head[:-8] + struct.pack(">I", left) + PAD_CHUNK if png else head
        while todo > 0:
            block = rng.randbytes(min(CHUNK, todo))
            crc = zlib.crc32(block, crc)
            todo -= len(block)
            yield block
        yield struct.pack(">I", crc) + tail[4:] if png else tail
    return size, (b"".join(chunks()) if size <= CHUNK else chunks())
