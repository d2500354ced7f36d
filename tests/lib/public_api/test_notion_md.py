"""Notion's enhanced Markdown turned into the export's Markdown: links, files, containers, block separation."""
from lib.public_api.notion_md import Links, convert

PAGE = "https://www.notion.so/Some-Page-" + "a" * 32
GONE = "https://www.notion.so/" + "b" * 32


def links():
    known = {"a" * 32: "Some%20Page%20" + "a" * 32 + ".md", "c" * 32: "Tasks%20" + "c" * 32 + ".csv"}
    files = {"https://files.example/x/diagram.png": "Home/diagram.png"}

    def page(url):
        return next((href for key, href in known.items() if key in url.replace("-", "")), None)
    return Links(page, lambda url: files.get(url.split("?")[0]), lambda user_id: {"1234abcd" * 4: "Ada"}.get(user_id, ""))


def test_references_point_at_files_of_the_export_or_stay_plain_text():
    text = (f'<page url="{PAGE}">Some Page</page>\n<page url="{GONE}">Not shared</page>\n'
            f'<database url="collection://{"c" * 8}-{"c" * 4}-{"c" * 4}-{"c" * 4}-{"c" * 12}">Tasks</database>\n'
            f'See <mention-page url="{PAGE}">Some Page</mention-page> and <mention-user url="user://{"1234abcd" * 4}"/>, '
            f'due <mention-date start="2026-05-01" end="2026-05-03"/>.')
    assert convert(text, links()) == (
        f"[Some Page](Some%20Page%20{'a' * 32}.md)\n\nNot shared\n\n[Tasks](Tasks%20{'c' * 32}.csv)\n\n"
        f"See [Some Page](Some%20Page%20{'a' * 32}.md) and @Ada, due 2026-05-01 → 2026-05-03.\n")


def test_hosted_files_become_the_stored_attachments():
    text = ("![A diagram](https://files.example/x/diagram.png)\n"
            "<file src=\"https://files.example/y/report.pdf\">report.pdf</file>\n"
            "<image source=\"https://files.example/x/diagram.png\"></image>\n"
            "<bookmark url=\"https://example.com/a\">A site</bookmark>")
    assert convert(text, links()) == (
        "![A diagram](Home/diagram.png)\n\n[report.pdf](https://files.example/y/report.pdf)\n\n"
        "![diagram.png](Home/diagram.png)\n\n[A site](https://example.com/a)\n")


def test_containers_become_what_the_export_writes():
    text = ('::: callout {icon="💡" color="gray_bg"}\nRemember\n\t- a point\n:::\n'
            "<details color=\"red\">\n<summary>More</summary>\n\tHidden\n</details>\n"
            '## Section {toggle="true"}\n\tUnder it\nAfter\n'
            "<columns>\n\t<column>\n\t\tLeft\n\t</column>\n\t<column>\n\t\tRight\n\t</column>\n</columns>")
    assert convert(text, links()) == (
        "<aside>\n\n💡 Remember\n\n- a point\n\n</aside>\n\n<details>\n\n<summary>More</summary>\n\nHidden\n\n"
        "</details>\n\n## Section\n\nUnder it\n\nAfter\n\nLeft\n\nRight\n")


def test_lists_stay_together_and_other_blocks_are_separated():
    text = "Intro {color=\"blue\"}\n- one\n\t- nested\n- two\n1. first\nText \\{kept\\}\n<empty-block/>\nEnd"
    assert convert(text, links()) == (
        "Intro\n\n- one\n    - nested\n- two\n1. first\n\nText \\{kept\\}\n\nEnd\n")


def test_code_and_math_are_literal():
    text = "- item\n\t```python\n\tdef f():\n\n\t\treturn {\"a\": 1}\n\t```\n$$\ne^{i\\pi} = -1\n$$"
    assert convert(text, links()) == (
        "- item\n\n    ```python\n    def f():\n\n    \treturn {\"a\": 1}\n    ```\n\n$$\ne^{i\\pi} = -1\n$$\n")


def test_tables_become_markdown_tables_and_unknown_blocks_disappear():
    text = ('<table header-row="true">\n<tr>\n<td>Key</td>\n<td>A | B</td>\n</tr>\n<tr><td>k</td><td>v</td></tr>\n'
            '</table>\n<unknown url="https://www.notion.so/p#1" alt="unsupported"/>\n'
            '<span underline="true">under</span> <span color="red">red</span>')
    assert convert(text, links()) == "| Key | A \\| B |\n| --- | --- |\n| k | v |\n\n<u>under</u> red\n"
