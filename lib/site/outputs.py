"""Where each export file lands in the site: names that fit the filesystem and never collide with each other.

A page `X <id>.md` becomes `X <id>.html`, which is longer, and may be the name of an attachment
beside it (`X <id>.html`), of a folder, or of one of the site's own files (`index.html`, `_site/...`,
the hidden build state and temporary files, hence no output name starts with a dot).
Attachments keep their names when they can (their bytes are the user's); a page or database whose name is taken
steps aside under its name plus a digest of its source path, stable from one build to the next.
Every link, the navigation and the search index read these names, so they follow every rename.
"""
import itertools
import posixpath

from lib.core.filenames import NAME_MAX, digest_tag, fit_name
from lib.site.site_paths import SITE_DIR

# The site's own files: the front page and everything under _site/ (assets, navigation, reports).
FRONT_PAGE = "index.html"
EXPORT_SITE_DIR = SITE_DIR + "_"  # where an export's own `_site/` folder goes


def _parents(path):
    """Yield every folder above `path`, innermost first."""
    parent = posixpath.dirname(path)
    while parent:
        yield parent
        parent = posixpath.dirname(parent)


def outside_site_dir(rel):
    """Return `rel` with an export folder named like the site's own `_site/` moved beside it."""
    first, sep, rest = rel.partition("/")
    return EXPORT_SITE_DIR + sep + rest if sep and first == SITE_DIR else rel


class Outputs:
    """The output names handed out so far, and the folders they live in."""

    def __init__(self, files):
        self.taken = {FRONT_PAGE}
        self.folders = {SITE_DIR}
        for rel in files:
            self.folders.update(_parents(outside_site_dir(rel)))

    def claim(self, natural, source, fallback=None):
        """Return a free output path for `source`: `natural`, else `fallback`, else `natural` tagged with a digest."""
        tagged = (_fit(natural, digest_tag(source if not n else f"{source}#{n}", 8)) for n in itertools.count())
        for path in itertools.chain([_fit(natural)], [_fit(fallback)] if fallback else [], tagged):
            if path not in self.taken and path not in self.folders:
                self.taken.add(path)
                return path


def _fit(rel, tag=None):
    """Return `rel` out of the site's own folder, visible, its name cut to NAME_MAX bytes (and tagged when asked)."""
    folder, name = posixpath.split(outside_site_dir(rel))
    if name.startswith("."):  # hidden names are the build's own (.build-state.json, .x.part): never an output's
        name = "_" + name
    return posixpath.join(folder, fit_name(name, NAME_MAX, tag=tag))
