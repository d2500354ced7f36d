"""The names one extracted tree holds, and where a newcomer goes when its portable name is already taken."""
import itertools

from lib.core.errors import UnsafeArchive
from lib.core.filenames import digest_tag, fit_name
from lib.archive.names import CLASH, HINT, fold_key


def _join(parent, base):
    """Join a folder path ('' for the top) and a name."""
    return f"{parent}/{base}" if parent else base


class Claims:
    """Every file and folder placed in one tree so far, across all the archives that fill it.

    Two entries can end up with one name: renaming made them equal (`a?b` and `a_b`), or a file and a
    folder share a name. Nothing is dropped: the one placed later steps aside under its name plus a
    digest of the original name, reported like any other rename. The same name twice with different
    content is refused: Notion never writes that, so the archive is broken.
    """

    def __init__(self):
        self.files = {}   # final path -> (raw name, origin, content key or None)
        self.dirs = set()
        self._folders = {}  # cleaned folder path -> final folder path
        self._folds = {}    # case- and form-folded path -> first final path seen
        self.warnings = []

    def _note(self, final):
        """Warn once per pair of names that one case-insensitive filesystem would store as one."""
        other = self._folds.setdefault(fold_key(final), final)
        if other != final:
            self.warnings.append(f"{other} and {final} collide on case-insensitive filesystems")

    def _free(self, parent, base, raw):
        """Return a name for `base` in `parent` that nothing holds, tagged with a digest of the original name."""
        for attempt in itertools.count():
            final = _join(parent, fit_name(base, tag=digest_tag(raw if not attempt else f"{raw}#{attempt}", 8)))
            if final not in self.files and final not in self.dirs:
                return final

    def folder(self, path):
        """Return where the cleaned folder `path` goes, placing it and its parents the first time."""
        if not path or path in self._folders:
            return self._folders.get(path, "")
        chain = [path]
        while "/" in chain[-1] and chain[-1].rpartition("/")[0] not in self._folders:
            chain.append(chain[-1].rpartition("/")[0])
        for cleaned in reversed(chain):  # outermost first, without recursion
            parent, _, base = cleaned.rpartition("/")
            final = _join(self._folders.get(parent, ""), base)
            if final in self.files:
                final = self._free(self._folders.get(parent, ""), base, cleaned)
            self._folders[cleaned] = final
            if final not in self.dirs:
                self.dirs.add(final)
                self._note(final)
        return self._folders[path]

    def file(self, path, raw, reasons, origin, content=None):
        """Return (final path or None for a duplicate kept once, reasons) for a file entry."""
        parent, _, base = path.rpartition("/")
        final = _join(self.folder(parent), base)
        if final != path and CLASH not in reasons:
            reasons = reasons + [CLASH]
        held = self.files.get(final)
        if held is not None and held[0] == raw:
            if held[1] == origin or (held[2] is not None and content is not None and held[2] != content):
                where = origin if held[1] == origin else f"{held[1]} and {origin}"
                raise UnsafeArchive(f"entry {raw!r} appears twice in {where} with different content; expected "
                                    "unique names", HINT)
            if held[2] is not None and held[2] == content:
                self.warnings.append(f"{final}: identical copy in {held[1]} and {origin}; kept one")
                return None, reasons
        if held is not None or final in self.dirs:
            final = self._free(self.folder(parent), base, raw)
            if CLASH not in reasons:
                reasons = reasons + [CLASH]
        self.files[final] = (raw, origin, content)
        self._note(final)
        return final, reasons

    def place_all(self, dirs, files):
        """Place an archive's folders, then its files: those kept as named before the renamed ones.

        `files` is [(cleaned path, raw name, reasons, origin, content key)]; returns [(final or None,
        reasons)] in the same order, and the set of final folders the archive needs.
        """
        needed = {self.folder(d) for d in sorted(dirs)}
        needed |= {self.folder(f[0].rpartition("/")[0]) for f in files}
        order = sorted(range(len(files)), key=lambda i: bool(files[i][2]))  # stable: unrenamed first
        placed = [None] * len(files)
        for i in order:
            placed[i] = self.file(*files[i])
        needed.discard("")
        return placed, needed
