"""Deterministic fake Notion workspace and the export ZIPs Notion builds from it.

Layout produced (facts from research/notion-internal-api.md section 3):
  wrapper.zip
    Export-<uuid>-Part-1.zip, Export-<uuid>-Part-2.zip, ...   (deflated members)
      Export-<uuid>/index.html
      Export-<uuid>/Home <32hex>.md                          (starts with "# Home")
      Export-<uuid>/Home/Child <32hex>.md                    (subpage folder without id)
      Export-<uuid>/Home/Notes <32hex>/...                   (older style: folder with id)
      Export-<uuid>/Home/Recipes <32hex>.csv + _all.csv      (UTF-8 BOM), rows in Home/Recipes/
      Export-<uuid>/Home/Recipes/photo 12.png                (a row's Files & media, beside the row pages)
      Export-<uuid>/Home/Ideas/Recipes <32hex>.csv + _all    (a linked view; its rows stay in Home/Recipes/)
      Export-<uuid>/My Links <32hex>/...                     (a folder whose page is not in the export)
      Export-<uuid>/Home/image.png, report.pdf, something.zip (a user attachment, never unpacked)
Inside parts: deflate, data descriptors (flag bit 3), MS-DOS host, no directory entries, UTF-8 flag
only on non-ASCII names (or never, with utf8_flag=False). What the files hold: tests/fakes/export_pages.py.
Each later day edits the workspace the way a person does: one paragraph, one renamed page, one new
database row and one deleted page.
"""
import random
from dataclasses import dataclass, field
from urllib.parse import quote

from tests.fakes import export_pages as content
from tests.fakes.export_pages import WORDS

TITLES = [
    "Home", "Projects", "Meeting notes", "Meeting Notes", "Meeting notes 2", "Roadmap", "Ideas",
    "Reading list", "Recipes", "Travel", "Q3 planning", "Onboarding", "Design review", "Budget",
    "🧬 Integrate AI model", "🚀 Launch checklist", "会议记录", "日本語のメモ", "Café crème",
    "Résumé drafts", "Lazy Coder’s One-Pan Pasta", "Über uns", "Ñandú facts", "Weekly sync",
    "Research", "Archive", "Inbox", "Journal", "Team wiki", "Hiring", "Notes", "notes",
]
DB_TITLES = ["Tasks", "Recipes", "People", "Bugs", "Books", "CRM", "Inventory", "📚 Library"]
ROW_FILE_BYTES = 2048   # a row's Files & media
SHAPES_MIN_PAGES = 20   # smaller workspaces (download and resume tests) keep the plain shapes
# Titles of real pages that no filesystem or git takes as they are (workspace option hostile=True): each
# becomes a top-level page with a folder of that very name, a subpage, and an HTML attachment named like
# the subpage's own site page.
HOSTILE_TITLES = [".git", ".GIT", "git~1", ".gitmodules", "CON", "aux", "Notes.", "Draft ", "会" * 73, "²"]


@dataclass
class Node:
    """One page, database, linked database view or database row of the fake workspace."""

    index: int
    id: str
    title: str
    kind: str  # page | db | row | view
    parent: int = None
    children: list = field(default_factory=list)
    attachments: list = field(default_factory=list)  # (name, kind) in the node's own folder
    folder_id: bool = False
    rev: int = 0
    deleted: bool = False
    links: list = field(default_factory=list)        # nodes this page links to
    files: list = field(default_factory=list)        # a row's Files & media: (name or URL, kind)
    related: list = field(default_factory=list)      # rows a row relates to
    callout: int = None                              # which callout shape the page holds, if any
    source: int = None                               # a linked view's database
    folder_only: bool = False                        # the export holds the folder, not the page
    own_folder: bool = False                         # a database in a folder of its own (a 2024 export)


def dashed(hex32):
    """Return the dashed UUID form of a 32-hex id."""
    h = hex32.replace("-", "")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class FakeWorkspace:
    """A realistic page tree built from a seed; `entries()` streams its export files."""

    def __init__(self, seed=0, pages=300, databases=8, rows_per_database=6, attachments=20,
                 attachment_bytes=4096, day=0, shrink=0.0, page_bytes=None, name="Fake Workspace", hostile=False,
                 large_attachments=0, large_attachment_bytes=0, day_edits=None, script=(), db_folder=False):
        """`large_attachments` of the attachments weigh `large_attachment_bytes` (files over GitHub's limit);
        `day_edits`, a fraction, makes each day edit that share of the pages and nothing else; `script` lists
        scripted edits by day (below); `db_folder` adds a top-level database as a real 2024 export wrote one:
        its CSVs, rows and files in a folder `Projects & Tasks <id>/`, its cells' paths from the export's root."""
        self.seed, self.name = seed, name
        # script: [{day: N, edit: title} or {day: N, delete: title}], a person's edits on that day besides the
        # random ones (a page with that title edited, or deleted with everything below it).
        self.script = list(script)
        self.params = dict(seed=seed, pages=pages, databases=databases, rows_per_database=rows_per_database,
                           attachments=attachments, attachment_bytes=attachment_bytes, day=day, shrink=shrink,
                           page_bytes=page_bytes, name=name, hostile=hostile, large_attachments=large_attachments,
                           large_attachment_bytes=large_attachment_bytes, day_edits=day_edits, script=self.script,
                           db_folder=db_folder)
        self.attachment_bytes, self.page_bytes = attachment_bytes, page_bytes
        self.large, self.day_edits = {"names": set(), "count": large_attachments, "bytes": large_attachment_bytes}, day_edits
        self.space_id = dashed(random.Random(f"space-{seed}").getrandbits(128).to_bytes(16, "big").hex())
        self.nodes, self._pages = [], []
        self._rng = random.Random(seed)
        self._paths = None
        self._build(pages, databases, rows_per_database, attachments)
        if pages >= SHAPES_MIN_PAGES:
            self._add_shapes(random.Random(f"{seed}-shapes"))
        if hostile:
            self._build_hostile()
        if db_folder:
            self._build_db_folder(random.Random(f"{seed}-db-folder"))
        targets = self._link_targets()
        for node in self.nodes:
            if node.kind in ("page", "row"):
                self._pick_links(node, random.Random(f"{node.id}-links"), targets)
        for d in range(1, day + 1):
            self._paths = None
            self._apply_day(d)
        self.day = day
        self._shrink(shrink)
        self._paths = None

    def with_changes(self, **changes):
        """Return the same workspace rebuilt with some parameters changed (e.g. day=1)."""
        return FakeWorkspace(**dict(self.params, **changes))

    # -- building ---------------------------------------------------------------------------
    def _new(self, title, kind, parent, rng=None):
        rng = rng or self._rng
        node = Node(len(self.nodes), rng.getrandbits(128).to_bytes(16, "big").hex(), title, kind, parent)
        node.folder_id = kind == "page" and rng.random() < 0.3
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
            if not self.nodes[pick].deleted and not self.nodes[pick].folder_only and self._depth(pick) < 5:
                return pick
        return next(i for i in self._pages if not self.nodes[i].deleted and not self.nodes[i].folder_only)

    def _build(self, pages, databases, rows, attachments):
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
            if kind != "zip" and len(self.large["names"]) < self.large["count"]:
                self.large["names"].add(name)

    def _add_shapes(self, rng):
        """Add what real exports hold beyond pages and plain tables (see tests/fakes/export_pages.py)."""
        pages = [n for n in self.nodes if n.kind == "page"]
        for n, page in enumerate(pages):
            page.callout = n % 4 if n % 3 == 1 else None
            if page.callout == 3:
                page.attachments.append(("icon.png", "icon"))
        dbs = [n for n in self.nodes if n.kind == "db"]
        for d, db in enumerate(dbs):
            rows = [self.nodes[i] for i in db.children]
            other = [self.nodes[i] for i in dbs[(d + 1) % len(dbs)].children]
            for row in rows:
                self._row_shapes(row, other, rng)
        if dbs:
            # A linked view of the first database on a page outside it, with its own CSV.
            host = next(p for p in pages[1:] + pages if p.index != dbs[0].parent
                        and all(self.nodes[c].title != dbs[0].title for c in p.children))
            view = self._new(dbs[0].title, "view", host.index, rng)
            view.source = dbs[0].index
        folder = self._new("My Links", "page", None, rng)
        folder.folder_only, folder.folder_id = True, True
        for title in ("Bookmarks", "Reading queue"):
            self._new(title, "page", folder.index, rng)

    def _row_shapes(self, row, other, rng):
        """Give a row files beside its page, web addresses and relations to another database's rows."""
        n = row.index
        if n % 3 == 0:
            row.files.append((f"photo {n}.png", "png"))
        if n % 3 == 1:
            row.files += [(f"spec {n}.pdf", "pdf"), (f"scan {n}.png", "png")]
        if n % 5 == 2:
            row.files.append((f"https://example.com/manual-{n}.pdf", "url"))
        row.related = [i.index for i in rng.sample(other, min(len(other), n % 3)) if i is not row]

    def _link_targets(self):
        return [n.index for n in self.nodes if n.kind in ("page", "row", "db") and not n.folder_only
                and self._visible(n)]

    def _pick_links(self, node, rng, targets):
        """Choose the two pages a page links to, once: later days leave other pages' links alone."""
        others = len(targets) - (node.index in targets)
        while others > 0 and len(node.links) < 2:
            pick = rng.choice(targets)
            if pick != node.index:
                node.links.append(pick)

    def _build_hostile(self):
        for title in HOSTILE_TITLES:
            top = self._new(title, "page", None)
            top.folder_id = False  # the folder carries the title alone: `.git/`, `CON/`
            child = self._new(f"{title} child", "page", top.index)
            top.attachments.append((f"{child.title} {child.id}.html", "html"))

    def _build_db_folder(self, rng):
        db = self._new("Projects & Tasks", "db", None, rng)
        db.own_folder = True
        for n in range(3):
            row = self._new(f"Task {n + 1}", "row", db.index, rng)
            row.files.append((f"DO01000357{n + 2}.jpeg", "png"))
            row.related = [db.children[0]] if n else []

    def _title(self):
        return " ".join(self._rng.choice(WORDS).capitalize() if i == 0 else self._rng.choice(WORDS)
                        for i in range(self._rng.randint(1, 4)))

    def _apply_day(self, d):
        """One day of a person's edits: a paragraph, a renamed page, a new database row, a deleted page."""
        self._rng = random.Random(f"{self.seed}-day-{d}")
        live = [n for n in self.nodes if n.kind in ("page", "row") and not n.folder_only and self._visible(n)]
        if not live:
            return
        if self.day_edits is not None:   # a quiet day: this share of the pages edited, nothing else
            for node in self._rng.sample(live, max(1, int(len(live) * self.day_edits))):
                node.rev = d
            return
        self._rng.choice(live).rev = d
        linked = {i for n in live for i in n.links}
        leaves = [n for n in live if n.kind == "page" and not n.children and not n.attachments
                  and n.parent is not None and not self.nodes[n.parent].folder_only]
        if leaves:
            renamed = self._rng.choice(leaves)
            renamed.title = f"{renamed.title} v{d + 1}"
            unlinked = [n for n in leaves if n.index not in linked and n is not renamed]
            if unlinked:
                gone = self._rng.choice(unlinked)
                gone.deleted = True
                self.nodes[gone.parent].children.remove(gone.index)
        dbs = [n for n in self.nodes if n.kind == "db" and self._visible(n)]
        if dbs:
            db = self._rng.choice(dbs)
            row = self._new(f"{self._title()} {len(db.children) + 1}", "row", db.index)
            self._pick_links(row, self._rng, self._link_targets())
        for step in (s for s in self.script if s["day"] == d):
            node = next(n for n in self.nodes if n.title == (step.get("edit") or step.get("delete"))
                        and self._visible(n))
            if "edit" in step:
                node.rev = d
            else:
                node.deleted = True
                if node.parent is not None:
                    self.nodes[node.parent].children.remove(node.index)

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
                ext = ".csv" if node.kind in ("db", "view") else ".md"
                file = f"{base}{node.title} {node.id}{ext}"
                folder = None
                if node.own_folder:
                    folder = f"{base}{node.title} {node.id}/"
                    file = folder + file[len(base):]
                elif node.children or node.attachments or any(self.nodes[c].files for c in node.children):
                    name = f"{node.title} {node.id}" if node.folder_id else node.title
                    siblings = used.setdefault(base, set())
                    if name in siblings:
                        name = f"{node.title} {node.id}"
                    siblings.add(name)
                    folder = f"{base}{name}/"
                self._paths[node.index] = (file, folder)
        return self._paths

    def live_nodes(self):
        """Return the nodes present in the export, parents first."""
        return [self.nodes[i] for i in self.paths()]

    def find(self, title):
        """Return the first live node with this title."""
        return next(n for n in self.live_nodes() if n.title == title)

    # -- files ------------------------------------------------------------------------------
    def _index_html(self):
        items = "\n".join(f'<li><a href="{quote(p[0])}">{p[0]}</a> ({dashed(self.nodes[i].id)})</li>'
                          for i, p in self.paths().items() if not self.nodes[i].folder_only)
        return (f"<html><body><p>Workspace identifier: {self.space_id}</p><p>Workspace name: {self.name}</p>"
                f"<ul>\n{items}\n</ul></body></html>\n").encode("utf-8")

    def _files(self, node, file, folder):
        """Yield (path, size, data) of one node's own files: page or CSVs, then attachments."""
        if node.kind in ("db", "view"):
            build = content.database_csv if node.kind == "db" else content.linked_view_csv
            yield file, *_sized(build(self, node, False))
            yield file[:-4] + "_all.csv", *_sized(build(self, node, True))
        elif not node.folder_only:
            yield file, *_sized(content.page_text(self, node, file))
        for name, kind in node.attachments:
            yield folder + name, *content.attachment(node, name, kind,
                                                      self.large["bytes"] if name in self.large["names"]
                                                      else self.attachment_bytes)
        if node.files:
            here = self.paths()[node.parent][1]
            for name, kind in node.files:
                if kind != "url":
                    # Small and of a fixed size: the workspace's size stays what `attachment_bytes` makes it.
                    yield here + name, *content.attachment(node, name, kind, ROW_FILE_BYTES)

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
            for rel, size, data in self._files(node, file, folder):
                yield rel[len(strip):], size, data
            stack.extend(reversed([c for c in node.children if c in paths]))

    def total_bytes(self):
        """Return the uncompressed size of the export (walks every entry)."""
        return sum(size for _, size, _ in self.entries())


def _sized(data):
    return len(data), data


from tests.fakes.export_zip import write_export, write_unwrapped_export  # noqa: E402,F401  (public API)
