"""Database CSVs: BOM, quoted cells, relation links and namesake rows."""
from lib.site.links import SiteIndex
from lib.site.site_paths import scan_tree
from lib.site.render import make_markdown
from lib.site.tables import match_rows, read_csv, render_database
from tests.lib.site import site_fixtures as F


def test_read_csv_strips_bom_and_keeps_quoted_commas(tmp_path):
    path = tmp_path / "db.csv"
    path.write_text('\ufeffName,Tags\n"Soup, hot",a\n', encoding="utf-8")
    assert read_csv(path) == (["Name", "Tags"], [["Soup, hot", "a"]])


def test_namesake_rows_match_by_properties():
    header, rows = ["Name", "Status"], [["Fix", "Done"], ["Fix", "Open"]]
    titles = {"a.md": "Fix", "b.md": "Fix"}
    props = {"a.md": {"Status": "Open"}, "b.md": {"Status": "Done"}}
    assert match_rows(header, rows, ["a.md", "b.md"], titles, props) == {0: "b.md", 1: "a.md"}


def test_relation_cells_become_links(tmp_path):
    F.build_tricky(tmp_path)
    rel = F.link(F.ROW_DOCS.split("/", 1)[1])
    (tmp_path / F.TASKS_ALL).write_text(
        f"\ufeffName,Related\nWrite docs,Write docs (Tasks/{rel}) and Nope (Tasks/Nope%20{F.ident('n')}.md)\n",
        encoding="utf-8")
    index = SiteIndex(scan_tree(tmp_path))
    _, renderer = make_markdown()
    entry = index.dbs[F.TASKS_CSV[:-4]]
    article, info = render_database(entry, index, {F.ROW_DOCS: "Write docs"}, tmp_path, renderer)
    assert f'<a href="Tasks/{F.link(F.ROW_DOCS.split("/")[1][:-3])}.html">Write docs</a>' in article
    assert 'class="broken-link"' in article and len(info["broken"]) == 1
