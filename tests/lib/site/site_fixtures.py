"""Notion-shaped export trees on disk for the site tests: tricky names and a big generated workspace."""
import base64
import hashlib
import random
from pathlib import Path
from urllib.parse import quote

# A 2x2 red PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==")


def ident(name):
    """Return a deterministic 32-hex Notion id for `name`."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:32]


def link(path):
    """Return `path` URL-encoded the way Notion writes relative links."""
    return quote(path, safe="/")


def _write(root, rel, text):
    path = Path(root) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return rel


# Names used by the tests to find things.
HOME = f"Home {ident('home')}.md"
CAFE = f"Home/Café ☕ Notes {ident('cafe')}.md"
CJK = f"Home/日本語のページ {ident('cjk')}.md"
PERCENT = f"Home/50% Done {ident('pct')}.md"
HASHQ = f"Home/What? Why #1 {ident('hashq')}.md"
DUP1 = f"Home/Dup {ident('dup1')}.md"
DUP2 = f"Home/Dup {ident('dup2')}.md"
IMAGE = "Home/Café ☕ Notes/photo 1.png"
PROJECTS = f"Projects {ident('projects')}.md"
DEEP = f"Projects {ident('projects')}/Deep {ident('deep')}.md"
DEEPER = f"Projects {ident('projects')}/Deep {ident('deep')}/Deeper {ident('deeper')}.md"
TASKS_CSV = f"Tasks {ident('tasks')}.csv"
TASKS_ALL = f"Tasks {ident('tasks')}_all.csv"
ROW_DOCS = f"Tasks/Write docs {ident('row-docs')}.md"
ROW_FIX1 = f"Tasks/Fix bug {ident('row-fix1')}.md"
ROW_FIX2 = f"Tasks/Fix bug {ident('row-fix2')}.md"
LINKS = f"Links {ident('links')}.md"
DEEP_WORD = "zephyrine"


def build_tricky(root):
    """Write the hand-made tricky workspace under `root`; return the list of relative paths."""
    root = Path(root)
    files = []
    home = "\n".join([
        "# Home", "", "Welcome to the workspace.", "",
        f"[Café notes]({link('Home/' + Path(CAFE).name)})", "",
        f"[Japanese]({link('Home/' + Path(CJK).name)})", "",
        f"[Percent]({link('Home/' + Path(PERCENT).name)})", "",
        f"[Hash and question]({link('Home/' + Path(HASHQ).name)})", "",
        f"[First dup]({link('Home/' + Path(DUP1).name)}) and "
        f"[second dup]({link('Home/' + Path(DUP2).name)})", "",
        f"[Tasks database]({link(TASKS_CSV)})", ""])
    files.append(_write(root, HOME, home))
    files.append(_write(root, CAFE, "# Café ☕ Notes\n\nCoffee tasting notes.\n\n"
                        f"![a photo]({link('Café ☕ Notes/photo 1.png')})\n\n"
                        f"![gone]({link('Café ☕ Notes/missing.png')})\n\n"
                        f"[back home]({link('../' + HOME)})\n\n"
                        f"[the slides]({link('Café ☕ Notes/slides.pdf')})\n"))
    files.append(_write(root, IMAGE, PNG))
    files.append(_write(root, CJK, "# 日本語のページ\n\n東京で会議があります。\n"))
    files.append(_write(root, PERCENT, "# 50% Done\n\nHalf way there.\n"))
    files.append(_write(root, HASHQ, "# What? Why #1\n\nQuestions page.\n"))
    files.append(_write(root, DUP1, "# Dup\n\nFirst of two pages named Dup: alphaword.\n"))
    files.append(_write(root, DUP2, "# Dup\n\nSecond of two pages named Dup: betaword.\n"))
    deep_link = link(DEEP.split("/", 1)[0] + "/" + Path(DEEP).name)
    files.append(_write(root, PROJECTS, f"# Projects\n\n[Deep page]({deep_link})\n"))
    deeper_link = link("Deep " + ident("deep") + "/" + Path(DEEPER).name)
    files.append(_write(root, DEEP, f"# Deep\n\n[Deeper]({deeper_link})\n"))
    files.append(_write(root, DEEPER, f"# Deeper\n\nThe rare word {DEEP_WORD} lives only here.\n"))
    header = "\ufeffName,Status,Tags\n"
    rows = "Write docs,Done,docs\nFix bug,Done,bug\nFix bug,Open,bug\n"
    files.append(_write(root, TASKS_CSV, header + rows))
    files.append(_write(root, TASKS_ALL, "\ufeffName,Status,Tags,Owner\n"
                        "Write docs,Done,docs,Ann\nFix bug,Done,bug,Cy\nFix bug,Open,bug,Bo\n"))
    files.append(_write(root, ROW_DOCS, "# Write docs\n\nStatus: Done\nTags: docs\n\nWrite the docs.\n"))
    files.append(_write(root, ROW_FIX1, "# Fix bug\n\nStatus: Open\nTags: bug\n\nFirst bug.\n"))
    files.append(_write(root, ROW_FIX2, "# Fix bug\n\nStatus: Done\nTags: bug\n\nSecond bug.\n"))
    deeper_url = f"https://www.notion.so/acme/Deeper-{ident('deeper')}"
    deep = ident("deep")
    dashed_deep = "-".join([deep[:8], deep[8:12], deep[12:16], deep[16:20], deep[20:]])
    links = "\n".join([
        "# Links", "",
        f"[absolute notion link]({deeper_url})", "",
        f"[dashed uuid link](https://www.notion.so/{dashed_deep})", "",
        f"[broken link]({link('Nowhere ' + ident('nowhere') + '.md')})", "",
        "[deleted page](about:blank#deleted)", "",
        "[evil](javascript:alert(1))", "",
        "[external](https://example.com/page)", "",
        f"[folder without id]({link('Home/Café ☕ Notes/photo 1.png')})", "",
        f"[encoded percent]({link(PERCENT)})", "",
        "<script>alert('x')</script>", "",
        "<aside>", "💡 A **callout** with bold.", "</aside>", "",
        "<details>", "<summary>Toggle title</summary>", "Hidden *content*.", "</details>", "",
        "$$", "E = mc^2", "$$", "",
        "Inline $a^2+b^2$ math and ~~struck~~ text.[^1]", "",
        "[^1]: A footnote.", "",
        "- [x] done item", "- [ ] open item", "",
        "| A | B |", "|---|---|", "| 1 | 2 |", "",
        "```python", "print('<hi>')", "```", "",
        "> a quote", ""])
    files.append(_write(root, LINKS, links))
    files.append(_write(root, "index.html", "<html>Notion's own index</html>"))
    return sorted(files)


WORDS = ("alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega river stone cloud maple "
         "harbor lantern quartz meadow falcon ember willow cobalt saffron tundra orbit prism velvet").split()


def _page_text(rng, title, links, image=None, idx=0):
    """Return one Notion-like Markdown page of ~4 KiB with links, lists, a table and a callout."""
    out = [f"# {title}", ""]
    for section in range(3):
        out += [f"## Section {section + 1}", ""]
        for _ in range(3):
            words = [rng.choice(WORDS) for _ in range(40)]
            words[5] = f"**{words[5]}**"
            words[12] = f"`{words[12]}`"
            out += [" ".join(words) + f" uniq{idx}x{section}.", ""]
        out += [f"- [{t}]({h})" for t, h in links[section::3]] + [""]
    out += ["- [ ] todo one", "- [x] todo two", "", "| Key | Value |", "|---|---|", "| a | 1 |", "| b | 2 |", "",
            "<aside>", "💡 Callout with *emphasis*.", "</aside>", "", "```python", "x = 1", "```", ""]
    if image:
        out += [f"![diagram]({image})", ""]
    return "\n".join(out)


def build_generated(root, pages=3000, seed=7):
    """Write a deterministic workspace of about `pages` pages (nested, databases, images); return paths."""
    rng = random.Random(seed)
    root = Path(root)
    per_top = 10
    tops = max(1, pages // (per_top * 10))
    files, made = [], 0
    specs = []   # (rel, title, folder rel, parent folder)
    for t in range(tops):
        title = f"Area {t}"
        rel = f"{title} {ident('area%d' % t)}.md"
        specs.append((rel, title, ""))
        for s in range(per_top):
            sub_title = f"Topic {t}-{s}"
            sub = f"{title}/{sub_title} {ident('topic%d-%d' % (t, s))}.md"
            specs.append((sub, sub_title, title))
            for leaf in range(8):
                leaf_title = f"Note {t}-{s}-{leaf}"
                specs.append((f"{title}/{sub_title}/{leaf_title} {ident('note%d-%d-%d' % (t, s, leaf))}.md",
                              leaf_title, f"{title}/{sub_title}"))
    specs = specs[:max(1, pages - pages // 10)]
    for n, (rel, title, folder) in enumerate(specs):
        base = rel.rsplit("/", 1)[0] if "/" in rel else ""
        targets = [specs[rng.randrange(len(specs))] for _ in range(6)]
        links = []
        for trel, ttitle, _ in targets:
            depth = base.count("/") + 1 if base else 0
            links.append((ttitle, link("../" * depth + trel)))
        image = None
        if n % 50 == 0:
            img = (base + "/" if base else "") + f"img {n}.png"
            files.append(_write(root, img, PNG))
            image = link(f"img {n}.png")
        files.append(_write(root, rel, _page_text(rng, title, links, image, n)))
        made += 1
    db_rows = pages - made
    dbs = max(1, db_rows // 100)
    for d in range(dbs):
        name = f"Tracker {d}"
        did = ident("db%d" % d)
        rows = []
        for r in range(db_rows // dbs):
            title = f"Item {d}-{r}"
            rows.append(f"{title},{rng.choice(['Open', 'Done'])},{rng.choice(WORDS)}")
            files.append(_write(root, f"{name}/{title} {ident('item%d-%d' % (d, r))}.md",
                                f"# {title}\n\nStatus: Open\nTag: {rng.choice(WORDS)}\n\nRow body {rng.choice(WORDS)}.\n"))
        body = "\ufeffName,Status,Tag\n" + "\n".join(rows) + "\n"
        files.append(_write(root, f"{name} {did}.csv", body))
        files.append(_write(root, f"{name} {did}_all.csv", body))
    return sorted(files)


# The shapes of real exports the generated workspace lacked (issue 14), by hand and small.
SH_HOME = f"Home {ident('sh-home')}.md"
SH_DB = f"Home/Inline DB {ident('sh-db')}.csv"
SH_DB_ALL = f"Home/Inline DB {ident('sh-db')}_all.csv"
SH_ROW_A = f"Home/Inline DB/Row A {ident('sh-a')}.md"
SH_ROW_B = f"Home/Inline DB/Row B {ident('sh-b')}.md"
SH_ROW_C = f"Home/Inline DB/Row C {ident('sh-c')}.md"
SH_PHOTO = "Home/Inline DB/photo 1.png"
SH_MANUAL = "Home/Inline DB/User Manual.pdf"
SH_ICON = "Home/icon.png"
SH_PROJECTS = f"Projects {ident('sh-projects')}.md"
SH_VIEW = f"Projects/Inline DB {ident('sh-view')}.csv"
SH_VIEW_ALL = f"Projects/Inline DB {ident('sh-view')}_all.csv"
SH_LINKS_DIR = f"My Links {ident('sh-links')}"
SH_BOOKMARKS = f"{SH_LINKS_DIR}/Bookmarks {ident('sh-bookmarks')}.md"
REMOTE_ICON = "https://www.notion.so/icons/cursor-click_gray.svg"


def build_shapes(root):
    """Write a small export with Notion's callouts, Files & media, links, linked views; return its paths."""
    root, files = Path(root), []
    icon = link("Home/icon.png")
    home = "\n".join([
        "# Home", "", "Intro paragraph.", "",
        "<aside>", f'<img src="{REMOTE_ICON}" alt="{REMOTE_ICON}" width="40px" /> Click **here** first.', "",
        "</aside>", "",
        "<aside>", f'<img src="{REMOTE_ICON}" alt="{REMOTE_ICON}" width="40px" />', "", "### Appendix", "",
        "- first point", "</aside>", "",
        "<aside>", f'<img src="{icon}" alt="{icon}" width="40px" /> Uploaded icon callout.', "", "</aside>", "",
        "<aside>", "💡 Emoji callout.", "", "</aside>", "",
        f"Mention: [](Home/Inline%20DB%20{ident('sh-db')}.md)", "",
        f"Page without text: []({link(SH_PROJECTS)})", "",
        "Web: [](https://www.notion.so)", ""])
    files.append(_write(root, SH_HOME, home))
    files.append(_write(root, SH_ICON, PNG))
    files.append(_write(root, SH_PHOTO, PNG))
    files.append(_write(root, SH_MANUAL, b"%PDF-1.4\n%%EOF\n"))
    rel_b, rel_c = link(Path(SH_ROW_B).name), link(Path(SH_ROW_C).name)
    files.append(_write(root, SH_ROW_A, "\n".join([
        "# Row A", "", "Status: Done", "Files & media: photo%201.png, User%20Manual.pdf",
        "Website: https://example.com/a", "Email: ann@example.com", "Phone: +1 555 0100",
        f"Related: Row B ({rel_b}), Row C ({rel_c})", "", "Body of A.", ""])))
    files.append(_write(root, SH_ROW_B, "# Row B\n\nStatus: Open\nFiles & media: "
                        "https://example.com/manual.pdf\n\nBody of B.\n"))
    files.append(_write(root, SH_ROW_C, "# Row C\n\nStatus: Open\n\nBody of C.\n"))
    folder = "Inline%20DB/"
    table = ("\ufeffName,Status,Files & media,Website,Email,Phone,Related\n"
             f'Row C,Open,,,,,\n'
             f'Row A,Done,"{folder}photo%201.png, {folder}User%20Manual.pdf",https://example.com/a,'
             f'ann@example.com,+1 555 0100,"Row B ({folder}{rel_b}), Row C ({folder}{rel_c})"\n'
             f"Row B,Open,https://example.com/manual.pdf,,,,\n")
    files.append(_write(root, SH_DB, table))
    files.append(_write(root, SH_DB_ALL, table))
    files.append(_write(root, SH_PROJECTS, "# Projects\n\n"
                        f"[Inline DB](Projects/Inline%20DB%20{ident('sh-view')}.csv)\n"))
    # Rows by title, one by its path (matched by the id in it), and one whose page is in no folder.
    view = ("\ufeffName,Status\nRow A,Done\nRow B,Open\n"
            f"Row C (../Home/Inline%20DB/{rel_c}),Open\nGone row,Open\n")
    files.append(_write(root, SH_VIEW, view))
    files.append(_write(root, SH_VIEW_ALL, view))
    files.append(_write(root, SH_BOOKMARKS, "# Bookmarks\n\nSaved links.\n"))
    return sorted(files)
