"""Deterministic fake Notion workspace and the export ZIPs Notion builds from it.

Layout produced (facts from research/notion-internal-api.md section 3):
  wrapper.zip
    Export-<uuid>-Part-1.zip, Export-<uuid>-Part-2.zip, ...   (deflated members)
      Export-<uuid>/index.html
      Export-<uuid>/Home <32hex>.md                          (starts with "# Home")
      Export-<uuid>/Home/Child <32hex>.md                    (subpage folder without id)
      Export-<uuid>/Home/Notes <32hex>/...                   (older style: folder with id)
      Export-<uuid>/Home/Recipes <32hex>.csv + _all.csv      (UTF-8 BOM), rows in Home/Recipes/
      Export-<uuid>/Home/image.png, report.pdf, something.zip (a user attachment, never unpacked)
Inside parts: deflate, data descriptors (flag bit 3), MS-DOS host, no directory entries, UTF-8 flag
only on non-ASCII names (or never, with utf8_flag=False).
"""
import io
import os
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote

CHUNK = 1 << 20
TITLES = [
    "Home", "Projects", "Meeting notes", "Meeting Notes", "Meeting notes 2", "Roadmap", "Ideas",
    "Reading list", "Recipes", "Travel", "Q3 planning", "Onboarding", "Design review", "Budget",
    "🧬 Integrate AI model", "🚀 Launch checklist", "会议记录", "日本語のメモ", "Café crème",
    "Résumé drafts", "Lazy Coder’s One-Pan Pasta", "Über uns", "Ñandú facts", "Weekly sync",
    "Research", "Archive", "Inbox", "Journal", "Team wiki", "Hiring", "Notes", "notes",
]
DB_TITLES = ["Tasks", "Recipes", "People", "Bugs", "Books", "CRM", "Inventory", "📚 Library"]
WORDS = ("alpha beta gamma delta notion backup export page block table link share team plan week "
         "draft review idea goal task done todo status owner date note text").split()


@dataclass
class Node:
    """One page, database or database row of the fake workspace."""

    index: int
    id: str
    title: str
    kind: str  # page | db | row
    parent: int = None
    children: list = field(default_factory=list)
    attachments: list = field(default_factory=list)  # (name, kind)
    folder_id: bool = False
    rev: int = 0
    deleted: bool = False


def dashed(hex32):
    """Return the dashed UUID form of a 32-hex id."""
    h = hex32.replace("-", "")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


PAD_CHUNK = b"npAd"  # lower-case first letter: ancillary, safe to skip


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_image(seed, side=24):
    """Return (signature + IHDR + IDAT, IEND chunk) of a small one-colour RGB PNG."""
    colour = bytes(random.Random(seed).randrange(256) for _ in range(3))
    rows = b"".join(b"\x00" + colour * side for _ in range(side))
    head = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + _png_chunk(b"IDAT", zlib.compress(rows)))
    return head, _png_chunk(b"IEND", b"")


class FakeWorkspace:
    """A realistic page tree built from a seed; `entries()` streams its export files."""

    def __init__(self, seed=0, pages=300, databases=8, rows_per_database=6, attachments=20,
                 attachment_bytes=4096, day=0, shrink=0.0, page_bytes=None, name="Fake Workspace",
                 large_attachments=0, large_attachment_bytes=0, day_edits=None):
        """`large_attachments` of the attachments weigh `large_attachment_bytes` (files over GitHub's limit);
        `day_edits`, a fraction, makes each day edit that share of the pages and nothing else."""
        self.seed, self.name = seed, name
        self.params = dict(seed=seed, pages=pages, databases=databases, rows_per_database=rows_per_database,
                           attachments=attachments, attachment_bytes=attachment_bytes, day=day, shrink=shrink,
                           page_bytes=page_bytes, name=name, large_attachments=large_attachments,
                           large_attachment_bytes=large_attachment_bytes, day_edits=day_edits)
        self.attachment_bytes, self.page_bytes = attachment_bytes, page_bytes
        self.large = {"names": set(), "bytes": large_attachment_bytes}
        self.space_id = dashed(random.Random(f"space-{seed}").getrandbits(128).to_bytes(16, "big").hex())
        self.nodes, self._pages = [], []
        self._rng = random.Random(seed)
        self._build(pages, databases, rows_per_database, attachments, large_attachments)
        for d in range(1, day + 1):
            self._apply_day(d, pages, day_edits)
        self.day = day
        self._shrink(shrink)
        self._paths = None

    def with_changes(self, **changes):
        """Return the same workspace rebuilt with some parameters changed (e.g. day=1)."""
        return FakeWorkspace(**dict(self.params, **changes))

    # -- building ---------------------------------------------------------------------------
    def _new(self, title, kind, parent):
        node = Node(len(self.nodes), self._rng.getrandbits(128).to_bytes(16, "big").hex(), title, kind, parent)
        node.folder_id = kind == "page" and self._rng.random() < 0.3
        self.nodes.append(node)
        if kind == "page":
            self._pages.append(node.index)
        if parent is not None:
            self.nodes[parent].children.append(node.index)
        return node

    def _depth(self, index):
        depth = 0
        while self.nodes[index].parent is not None:
            index, depth = self.nodes[index].parent, depth + 1
        return depth

    def _pick_parent(self):
        for _ in range(8):
            pick = self._rng.choice(self._pages)
            if not self.nodes[pick].deleted and self._depth(pick) < 5:
                return pick
        return next(i for i in self._pages if not self.nodes[i].deleted)

    def _build(self, pages, databases, rows, attachments, large=0):
        tops = min(max(1, pages // 40), 6, pages)
        for i in range(pages):
            parent = None if i < tops else self._pick_parent()
            self._new(TITLES[i % len(TITLES)] if i < len(TITLES) else self._title(), "page", parent)
        for d in range(databases):
            db = self._new(DB_TITLES[d % len(DB_TITLES)], "db", self._pick_parent() if self.nodes else None)
            for r in range(rows):
                self._new(f"{self._title()} {r + 1}", "row", db.index)
        page_nodes = [n for n in self.nodes if n.kind == "page"]
        for a in range(attachments):
            host = page_nodes[self._rng.randrange(len(page_nodes))] if page_nodes else None
            if host is None:
                break
            kind = "zip" if a == 2 else ("pdf" if a % 4 == 3 else "png")
            name = {"zip": "something.zip", "pdf": f"report {a}.pdf", "png": f"image {a}.png"}[kind]
            host.attachments.append((name, kind))
            if kind != "zip" and len(self.large["names"]) < large:
                self.large["names"].add(name)

    def _title(self):
        return " ".join(self._rng.choice(WORDS).capitalize() if i == 0 else self._rng.choice(WORDS)
                        for i in range(self._rng.randint(1, 4)))

    def _apply_day(self, d, pages, edits=None):
        self._rng = random.Random(f"{self.seed}-day-{d}")
        live = [n for n in self.nodes if not n.deleted and n.kind in ("page", "row")]
        share = max(1, pages // 20) if edits is None else max(1, int(len(live) * edits))
        for n in self._rng.sample(live, min(len(live), share)):
            n.rev += 1
        if edits is not None:
            return
        leaves = [n for n in live if n.kind == "page" and not n.children and not n.attachments
                  and n.parent is not None]
        for n in self._rng.sample(leaves, min(len(leaves), max(1, pages // 100))):
            n.deleted = True
            self.nodes[n.parent].children.remove(n.index)
        for _ in range(max(1, pages // 50)):
            self._new(f"{self._title()} day {d}", "page", self._pick_parent())

    def _shrink(self, fraction):
        if fraction <= 0:
            return
        pages = [n for n in self.nodes if n.kind in ("page", "row") and not n.deleted]
        for n in pages[len(pages) - int(len(pages) * fraction):]:
            n.deleted = True
        for n in self.nodes:
            if n.deleted and n.parent is not None and n.index in self.nodes[n.parent].children:
                self.nodes[n.parent].children.remove(n.index)

    # -- paths ------------------------------------------------------------------------------
    def _visible(self, node):
        while node is not None:
            if node.deleted:
                return False
            node = None if node.parent is None else self.nodes[node.parent]
        return True

    def paths(self):
        """Return {node index: (file path, folder path or None)} relative to the export root."""
        if self._paths is None:
            self._paths = {}
            used = {}
            for node in self.nodes:  # parents always precede children
                if not self._visible(node):
                    continue
                base = "" if node.parent is None else self._paths[node.parent][1]
                ext = ".csv" if node.kind == "db" else ".md"
                file = f"{base}{node.title} {node.id}{ext}"
                folder = None
                if node.children or node.attachments:
                    name = f"{node.title} {node.id}" if node.folder_id else node.title
                    siblings = used.setdefault(base, set())
                    if name in siblings:
                        name = f"{node.title} {node.id}"
                    siblings.add(name)
                    folder = f"{base}{name}/"
                self._paths[node.index] = (file, folder)
            self._live = list(self._paths)
        return self._paths

    def live_nodes(self):
        """Return the nodes present in the export, parents first."""
        return [self.nodes[i] for i in self.paths()]

    def find(self, title):
        """Return the first live node with this title."""
        return next(n for n in self.live_nodes() if n.title == title)

    # -- content ----------------------------------------------------------------------------
    def _page_text(self, node, here):
        rng = random.Random(f"{node.id}-{node.rev}")
        lines = [f"# {node.title}", ""]
        if node.kind == "row":
            lines += [f"Status: {rng.choice(['Done', 'Todo', 'Doing'])}", f"Owner: {rng.choice(WORDS)}", ""]
        for _ in range(rng.randint(1, 4)):
            lines += [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + ".", ""]
        if node.rev:
            lines += [f"Edited (revision {node.rev}).", ""]
        paths, folder = self.paths(), here.rsplit("/", 1)[0] if "/" in here else ""
        live = self._live
        for _ in range(2):
            pick = rng.choice(live)
            lines.append(f"[{self.nodes[pick].title}]({quote(_relative(folder, paths[pick][0]))})")
        own_folder = paths[node.index][1]
        for name, kind in node.attachments:
            link = quote(_relative(folder, own_folder + name))
            lines.append(f"![{name}]({link})" if kind == "png" else f"[{name}]({link})")
        text = "\n".join(lines) + "\n"
        if self.page_bytes and len(text) < self.page_bytes:
            text += ("lorem ipsum " * (self.page_bytes // 12 + 1))[: self.page_bytes - len(text) - 1] + "\n"
        return text.encode("utf-8")

    def _csv(self, node, all_views):
        header = "Name,Status,Tags,Created" + (",Owner" if all_views else "")
        rows = [header]
        for i in node.children:
            child = self.nodes[i]
            rng = random.Random(f"{child.id}-{child.rev}")
            cells = [child.title, rng.choice(["Done", "Todo"]), rng.choice(WORDS), f"November {1 + i % 28}, 2026"]
            if all_views:
                cells.append(rng.choice(WORDS))
            rows.append(",".join(f'"{c}"' if "," in c else c for c in cells))
        return ("\ufeff" + "\n".join(rows) + "\n").encode("utf-8")

    def _attachment(self, node, name, kind):
        if kind == "zip":
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as inner:
                # A fixed timestamp keeps the attachment byte-identical across exports.
                inner.writestr(zipfile.ZipInfo("inner.txt", date_time=(2024, 1, 1, 0, 0, 0)),
                               f"user data of {node.title}\n")
            return len(buf.getvalue()), buf.getvalue()
        seed = f"{node.id}-{name}"
        if kind == "png":
            # A real image, then a private ancillary chunk that brings the file to its size (decoders skip it).
            image, end = _png_image(seed)
            head, tail = image + b"\x00\x00\x00\x00" + PAD_CHUNK, b"\x00\x00\x00\x00" + end
        else:
            head, tail = b"%PDF-1.4\n", b"\n%%EOF\n"
        wanted = self.large["bytes"] if name in self.large["names"] else self.attachment_bytes
        size = max(wanted, len(head) + len(tail))
        left = size - len(head) - len(tail)

        def chunks():
            rng, todo, crc = random.Random(seed), left, zlib.crc32(PAD_CHUNK)
            yield head[:-8] + struct.pack(">I", left) + PAD_CHUNK if kind == "png" else head
            while todo > 0:
                block = rng.randbytes(min(CHUNK, todo))
                crc = zlib.crc32(block, crc)
                todo -= len(block)
                yield block
            yield struct.pack(">I", crc) + tail[4:] if kind == "png" else tail
        return size, (b"".join(chunks()) if size <= CHUNK else chunks())

    def _index_html(self):
        items = "\n".join(f'<li><a href="{quote(p[0])}">{p[0]}</a> ({dashed(self.nodes[i].id)})</li>'
                          for i, p in self.paths().items())
        return (f"<html><body><p>Workspace identifier: {self.space_id}</p><p>Workspace name: {self.name}</p>"
                f"<ul>\n{items}\n</ul></body></html>\n").encode("utf-8")

    def entries(self, root_id=None):
        """Yield (relpath, size, bytes or chunk iterator) for every file of the export, folder by folder."""
        paths = self.paths()
        if root_id is None:
            yield "index.html", *_sized(self._index_html())
            roots, strip = [n.index for n in self.live_nodes() if n.parent is None], ""
        else:
            node = next(n for n in self.live_nodes() if dashed(n.id) == dashed(root_id))
            roots, strip = [node.index], paths[node.index][0].rsplit("/", 1)[0] + "/" if "/" in paths[node.index][0] else ""
        stack = list(reversed(roots))
        while stack:
            node = self.nodes[stack.pop()]
            file, folder = paths[node.index]
            if node.kind == "db":
                yield file[len(strip):], *_sized(self._csv(node, False))
                yield file[len(strip):-4] + "_all.csv", *_sized(self._csv(node, True))
            else:
                yield file[len(strip):], *_sized(self._page_text(node, file))
            for name, kind in node.attachments:
                yield (folder + name)[len(strip):], *self._attachment(node, name, kind)
            stack.extend(reversed([c for c in node.children if c in paths]))

    def total_bytes(self):
        """Return the uncompressed size of the export (walks every entry)."""
        return sum(size for _, size, _ in self.entries())


def _sized(data):
    return len(data), data


def _relative(folder, target):
    return os.path.relpath(target, folder or ".").replace(os.sep, "/")


from tests.fakes.export_zip import write_export, write_unwrapped_export  # noqa: E402,F401  (public API)
