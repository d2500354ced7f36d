"""A small workspace for the reading tests: a 14-column database, accented titles, many pages that share a
word, an inline database and broken links with long encoded targets."""
from pathlib import Path

from tests.lib.site.site_fixtures import _write, ident, link

WIDE = f"Wide {ident('wide')}.csv"
WIDE_ALL = f"Wide {ident('wide')}_all.csv"
NANDU = f"Ñandú facts {ident('nandu')}.md"
HOST = f"Host page {ident('host')}.md"
INLINE = f"Host page/Habits {ident('habits')}.csv"
INLINE_ALL = f"Host page/Habits {ident('habits')}_all.csv"
BROKEN = f"Projects & Tasks {ident('pt')}/Very long project page name here {ident('broken')}.md"
COLUMNS = ["Name", "Score", "Done", "Due"] + [f"Column {n}" for n in range(5, 15)]
MONTHS = "January February March April May June July August September October November December".split()
MANY = 320      # pages that all mention "linkword": more than one piece of a sidebar list (CHUNK)


def note(n):
    """Return the path of note `n` of the many."""
    return f"Notes {ident('notes')}/Note {n} {ident('note%d' % n)}.md"


def build_reading(root):
    """Write the workspace under `root`; return its files."""
    root, files = Path(root), []
    rows = [",".join([f"Row {r}", str((r * 37) % 101), "Yes" if r % 3 else "No",
                      f'"{MONTHS[r * 5 % 12]} {1 + r * 11 % 28}, {2025 + r % 3}"']
                     + [f"value {r}-{c} with some words" for c in range(5, 15)]) for r in range(40)]
    table = "\ufeff" + ",".join(COLUMNS) + "\n" + "\n".join(rows) + "\n"
    files += [_write(root, WIDE, table), _write(root, WIDE_ALL, table)]
    files.append(_write(root, NANDU, "# Ñandú facts\n\nThe ñandú is a large flightless bird of South America."
                        " It runs fast.\n"))
    habits = "\ufeffName,Done\n" + "".join(f"Day {d},{'Yes' if d % 2 else 'No'}\n" for d in range(25))
    files += [_write(root, INLINE, habits), _write(root, INLINE_ALL, habits)]
    inline = link("Host page/" + Path(INLINE).name)
    files.append(_write(root, HOST, f"# Host page\n\nAbove the table.\n\n[Habits]({inline})\n\nBelow the table.\n"))
    target = link(f"Projects & Tasks {ident('pt')}/Another very long page name that is gone {ident('gone')}.md")
    files.append(_write(root, BROKEN, f"# New Project\n\nSee [the gone page]({target.split('/', 1)[1]}) and "
                        f"[another](Nowhere%20at%20all%20{ident('nowhere')}.md).\n"))
    files.append(_write(root, f"Projects & Tasks {ident('pt')}.md", "# Projects & Tasks\n\nIndex.\n"))
    for n in range(MANY):
        files.append(_write(root, note(n),
                            f"# Note {n}\n\n" + "Filler words. " * (n % 7) + "The linkword appears here.\n"))
    files.append(_write(root, f"Notes {ident('notes')}.md", "# Notes\n\nAll the notes.\n"))
    files.append(_write(root, f"Linkword in the title {ident('lt')}.md", "# Linkword in the title\n\nShort.\n"))
    files.append(_write(root, f"Dense {ident('dense')}.md", "# Dense\n\n" + "Filler words. " * 10
                        + "A linkword, then linkword and linkword again.\n"))
    return sorted(files)
