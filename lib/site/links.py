"""Index of an export tree and the resolver that maps Notion's links to site paths."""
import posixpath
import re
from urllib.parse import quote, unquote, urlsplit

from lib.site.outputs import Outputs
from lib.core.notion_names import db_stem, split_stem, strip_ids
from lib.site.site_paths import pair_databases, relative

UUID_RE = re.compile(r"([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})"
                     r"(?![0-9a-f])")
NOTION_HOSTS = ("notion.so", "notion.site", "notion.com")
# Notion's own index.html (at the root or in the Export-<uuid> wrapper) lists the export;
# the site writes its own index instead.
SKIPPED_RE = re.compile(r"^(?:Export-[^/]+/)?index\.html$")


def renamed_paths(renames):
    """Map each name as Notion wrote it to the name unpack gave it, for files and their folders alike.

    Links in the Markdown still use Notion's names; unpack renames components (Windows-only characters,
    names over 255 bytes) one for one, so every renamed file also tells how its folders were renamed.
    """
    mapping = {}
    for entry in renames or ():
        old, new = entry["renamed_from"].split("/"), entry["path"].split("/")
        if len(old) != len(new):
            continue
        for depth in range(1, len(old) + 1):
            if old[:depth] != new[:depth]:
                mapping["/".join(old[:depth])] = "/".join(new[:depth])
    return mapping


class SiteIndex:
    """Every file of an export, the site path of each, and the page hierarchy."""

    def __init__(self, files, renames=()):
        self.files = sorted(f for f in files if not SKIPPED_RE.match(f))
        self.renamed = renamed_paths(renames)
        self.original = {new: old for old, new in self.renamed.items()}
        self.kind = {}      # source rel -> 'page' | 'db' | 'asset'
        self.out = {}       # source rel -> output rel
        self.copies = {}    # attachment or CSV rel -> where its bytes are copied in the site
        self.db_of = {}     # CSV rel -> its database's key
        self.by_id = {}     # 32hex -> source rel of the page or database (CSV)
        self.dbs = {}       # db key -> {'csv': rel, 'all': rel or None, 'out': rel}
        self._index_files()
        self.parent = {}    # node rel (page/db source or 'dir:' path) -> parent node or None
        self.dir_owner = {}
        self._index_tree()
        stripped = {}
        for rel in self.out:
            stripped.setdefault(strip_ids(rel), []).append(rel)
        self.stripped = {k: v[0] for k, v in stripped.items() if len(v) == 1}

    def _index_files(self):
        dbs = self.dbs
        for key, entry in pair_databases(f for f in self.files if f.lower().endswith(".csv")).items():
            dbs[key] = entry
            for rel in (entry["csv"], entry["all"]):
                if rel:
                    self.db_of[rel] = key
        outputs = Outputs(self.files)
        # Attachments first: they keep their own names, and pages or databases step aside for them.
        for rel in self.files:
            if not rel.lower().endswith((".md", ".csv")):
                self.kind[rel] = "asset"
                self.out[rel] = self.copies[rel] = outputs.claim(rel, rel)
        for rel in self.files:
            if rel.lower().endswith(".md"):
                self.kind[rel] = "page"
                self.out[rel] = outputs.claim(rel[:-3] + ".html", rel)
        for key, entry in sorted(dbs.items()):
            entry["main"] = entry["all"] or entry["csv"]
            entry["out"] = outputs.claim(key + ".html", entry["main"], fallback=key + ".db.html")
            for rel in (entry["csv"], entry["all"]):
                if rel:
                    self.kind[rel] = "db"
                    self.out[rel] = entry["out"]
                    self.copies[rel] = outputs.claim(rel, rel)
        for rel, kind in self.kind.items():
            if kind == "asset":
                continue
            ident = split_stem(db_stem(rel) if kind == "db" else rel[:-3].rsplit("/", 1)[-1])[1]
            if ident and (ident not in self.by_id or kind == "page"):
                self.by_id[ident] = rel

    def node_of(self, rel):
        """Return the nav node key of a source file: the page, or the database's main CSV."""
        if self.kind.get(rel) == "db":
            return self.dbs[self.db_of[rel]]["main"]
        return rel

    def _owner(self, dirpath):
        """Return the page or database that owns folder `dirpath`, or None."""
        parent, name = posixpath.split(dirpath)
        exact = (parent + "/" if parent else "") + name + ".md"
        if exact in self.kind:
            return exact
        return self._named.get((parent, name))

    def _index_names(self, dirs):
        """Map (folder, name) to the database or page a subfolder of that name belongs to."""
        named = {}
        for rel in sorted(r for r, k in self.kind.items() if k == "page"):
            parent, base = posixpath.split(rel)
            title, ident = split_stem(base[:-3])
            # Of two namesakes, the one whose folder carries its id does not own the bare name.
            if ident and rel[:-3] not in dirs:
                named.setdefault((parent, title), rel)
        for key, entry in sorted(self.dbs.items(), reverse=True):
            parent, base = posixpath.split(key)
            named[(parent, split_stem(base)[0])] = entry["main"]
        for key, entry in sorted(self.dbs.items(), reverse=True):
            parent, base = posixpath.split(key)
            named[(parent, base)] = entry["main"]
        self._named = named

    def _index_tree(self):
        dirs = set()
        for rel in self.kind:
            parent = posixpath.dirname(rel)
            while parent and parent not in dirs:
                dirs.add(parent)
                parent = posixpath.dirname(parent)
        self._index_names(dirs)
        for d in sorted(dirs):
            self.dir_owner[d] = self._owner(d) or "dir:" + d

        def _container(path):
            parent = posixpath.dirname(path)
            return self.dir_owner[parent] if parent else None

        for d, owner in self.dir_owner.items():
            if owner.startswith("dir:"):
                self.parent[owner] = _container(d)
        for rel, kind in self.kind.items():
            if kind == "page" or (kind == "db" and self.node_of(rel) == rel):
                self.parent[rel] = _container(rel)
        # A folder whose owner sits inside that same folder cannot be its own ancestor.
        for node in list(self.parent):
            seen, cur = {node}, self.parent[node]
            while cur is not None:
                if cur in seen:
                    self.parent[node] = None
                    break
                seen.add(cur)
                cur = self.parent.get(cur)
        self.children = {}
        for node, parent in sorted(self.parent.items()):
            self.children.setdefault(parent, []).append(node)

    def ancestors(self, node):
        """Return the nav nodes above `node`, outermost first."""
        chain, cur = [], self.parent.get(node)
        while cur is not None:
            chain.append(cur)
            cur = self.parent.get(cur)
        return chain[::-1]

    def resolve(self, url, src_rel):
        """Return (kind, source rel or None, fragment) for a link found in page `src_rel`."""
        if url.startswith("#"):
            return "anchor", None, url[1:]
        try:
            parts = urlsplit(url)
        except ValueError:
            return "broken", None, ""
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            host = parts.netloc.lower().rsplit("@", 1)[-1].split(":")[0]
            if host.endswith(NOTION_HOSTS):
                target = self._by_uuid(parts.path) or self._by_uuid(parts.query)
                if target:
                    return self.kind[target], self.node_of(target), parts.fragment
            return "external", None, ""
        if scheme == "about" or (not scheme and not parts.path):
            return "broken", None, ""
        if scheme or parts.netloc:
            return "external", None, ""
        target = self._by_path(parts.path, src_rel)
        if target is None:
            return "broken", None, ""
        return self.kind[target], self.node_of(target), parts.fragment

    def _by_uuid(self, text):
        for match in reversed(list(UUID_RE.finditer(text.lower()))):
            ident = "".join(match.groups())
            if ident in self.by_id:
                return self.by_id[ident]
        return None

    def _joined(self, folder, raw):
        cand = posixpath.normpath(posixpath.join(folder, raw)).lstrip("/")
        return self.renamed.get(cand, cand)

    def _by_path(self, path, src_rel):
        # The link was written where Notion put the page: resolve it from there, then follow the renames.
        # A database's CSV in a 2024 export names its Files & media from the export's root instead: a path
        # that exists from there, and not from the CSV's folder, is the one Notion meant.
        original = self.original.get(src_rel, src_rel)
        base = posixpath.dirname(original)
        root = original.split("/", 1)[0] if original.startswith("Export-") and "/" in original else ""
        once = unquote(path)
        variants = [raw for raw in (once, unquote(once) if "%" in once else None, path if once != path else None)
                    if raw is not None]
        for folder in (base, root) if root != base else (base,):
            for raw in variants:
                cand = self._joined(folder, raw)
                if cand in self.kind:
                    return cand
                if cand in self.dir_owner and not self.dir_owner[cand].startswith("dir:"):
                    return self.dir_owner[cand]
        for raw in variants:
            cand = self._joined(base, raw)
            stem = cand.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            ident = split_stem(stem[:-4] if stem.endswith("_all") else stem)[1]
            if ident:
                # An id names one page: a missing id is a broken link, never a namesake.
                if ident in self.by_id:
                    return self.by_id[ident]
                continue
            hit = self.stripped.get(strip_ids(cand))
            if hit:
                return hit
        return None

    def link_key(self, url, src_rel):
        """Return [kind, output path or None, fragment]: where a link points with this file set."""
        kind, target, fragment = self.resolve(url, src_rel)
        return [kind, self.out.get(target) if target else None, fragment]

    def href(self, target_out, from_out, fragment=""):
        """Return a URL-encoded relative href from output page `from_out` to `target_out`."""
        href = quote(relative(target_out, from_out), safe="/")
        return href + ("#" + quote(fragment, safe="-_.~%") if fragment else "")
