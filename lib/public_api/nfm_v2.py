"""Notion-flavored Markdown v2 read back into the v1 ("enhanced markdown") shapes the converter knows.

v2 separates blocks by a blank line; children are not indented except under list items; a block with children or
a colour takes its tag form (`<p>`, `<quote>`, `<toggle>`, `<callout>`, `<h2 toggle="true">`, `<columns>`,
`<column>`, `<synced_block>`) with its own text first and its children after a blank line; `{color="..."}` at
the end of a line is literal text. v1 has one block per line, children one tab deeper, `{color="..."}` suffixes.
"""
import re

FENCE = re.compile(r"^(`{3,}|~{3,}|\$\$)")
LIST = re.compile(r"^(?:[-*+] |\d+[.)] )")
TAGS = "p|quote|toggle|callout|columns|column|synced_block|h[1-6]"
OPEN = re.compile(rf"^<({TAGS})\b((?:\s+[a-z_-]+=\"[^\"]*\")*)\s*>(.*)$")
ATTR = re.compile(r'([a-z_-]+)="([^"]*)"')
# A v1 attribute list at the end of a line: in v2 the same characters are text, so they are escaped for v1.
LITERAL_ATTRS = re.compile(r'(?<!\\)\{((?:\s*[a-z_-]+="[^"]*")+\s*)\}(\s*)$')
CONTAINERS = {"columns", "column", "synced_block"}


def to_v1(text):
    """Return v2 Markdown `text` as v1 enhanced Markdown that renders the same."""
    out = []
    _blocks(text.replace("\r\n", "\n").split("\n"), 0, out)
    return "\n".join(out)


def _literal(line):
    """Escape a trailing `{key="value"}` so v1 reads it as the text v2 says it is."""
    return LITERAL_ATTRS.sub(lambda m: "\\{" + m.group(1) + "\\}" + m.group(2), line)


def _v1_attrs(attrs, keep=("color",)):
    """The v1 suffix for a tag's attributes (colour only; other attributes have their own v1 places)."""
    pairs = [f'{key}="{value}"' for key, value in ATTR.findall(attrs) if key in keep and value != "default"]
    return f" {{{' '.join(pairs)}}}" if pairs else ""


def _closing(lines, start, tag):
    """Index of the line closing the `<tag>` opened at `start` (nesting and code fences counted)."""
    depth, fence = 0, None
    for index in range(start, len(lines)):
        line = lines[index].lstrip("\t")
        if fence:
            fence = None if line.startswith(fence) and not line.strip(fence[0]).strip() else fence
            continue
        match = FENCE.match(line)
        if match and index > start:
            fence = match.group(1)
            continue
        opened = OPEN.match(line)
        if opened and opened.group(1) == tag and not opened.group(3).endswith(f"</{tag}>"):
            depth += 1
        if line.strip() == f"</{tag}>":
            depth -= 1
            if depth == 0:
                return index
    return len(lines)


def _blocks(lines, depth, out):
    """Append the v1 lines of the v2 blocks in `lines` at `depth` tabs."""
    pad, index = "\t" * depth, 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        fence = FENCE.match(line)
        if fence:
            end = index + 1
            while end < len(lines) and not (lines[end].startswith(fence.group(1))
                                            and not lines[end].strip(fence.group(1)[0]).strip()):
                end += 1
            out.extend(pad + part for part in lines[index:end + 1])
            index = end + 1
            continue
        if line.startswith("<table"):
            end = next((i for i in range(index, len(lines)) if lines[i].strip().endswith("</table>")), len(lines) - 1)
            out.extend(pad + part for part in lines[index:end + 1])
            index = end + 1
            continue
        opened = OPEN.match(line)
        if opened:
            index = _tag(lines, index, opened, depth, out)
            continue
        if LIST.match(line) or line.startswith("> "):
            out.append(pad + _literal(line))
            end = index + 1
            while end < len(lines) and (lines[end].startswith("\t") or not lines[end].strip()
                                        and end + 1 < len(lines) and lines[end + 1].startswith("\t")):
                end += 1
            _blocks([part[1:] if part.startswith("\t") else part for part in lines[index + 1:end]], depth + 1, out)
            index = end
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() and not _starts_block(lines[end]):
            end += 1
        # One block may span lines in v2; v1 writes its line breaks as <br>.
        out.append(pad + _literal("<br>".join(lines[index:end])))
        index = end


def _starts_block(line):
    """Tell whether a line opens a block of its own even without a blank line before it."""
    return bool(OPEN.match(line) or LIST.match(line) or FENCE.match(line) or line.startswith(("> ", "<table", "#")))


def _tag(lines, index, opened, depth, out):
    """Write one tag-form block as v1; return the index after it."""
    tag, attrs, rest = opened.group(1), opened.group(2), opened.group(3)
    pad = "\t" * depth
    if rest.endswith(f"</{tag}>"):  # one line: a coloured block without children
        inner, end, body = rest[:-len(f"</{tag}>")], index, []
    else:
        end = _closing(lines, index, tag)
        body = ([rest] if rest.strip() else []) + lines[index + 1:end]
        inner = ""
        if tag not in CONTAINERS:
            first = next((i for i, part in enumerate(body) if part.strip()), len(body))
            stop = next((i for i in range(first, len(body)) if not body[i].strip()), len(body))
            inner, body = "<br>".join(body[first:stop]), body[stop:]
    suffix = _v1_attrs(attrs)
    if tag in CONTAINERS:
        out.append(f"{pad}<{tag}>")
        _blocks(body, depth + 1, out)
        out.append(f"{pad}</{tag}>")
    elif tag == "toggle":
        out += [f"{pad}<details>", f"{pad}<summary>{inner}</summary>"]
        _blocks(body, depth + 1, out)
        out.append(f"{pad}</details>")
    elif tag == "callout":
        values = dict(ATTR.findall(attrs))
        color = f' color="{values["color"]}"' if values.get("color", "default") != "default" else ""
        out += [f'{pad}::: callout {{icon="{values.get("icon", "")}"{color}}}', pad + _literal(inner)]
        _blocks(body, depth, out)
        out.append(f"{pad}:::")
    else:
        if tag.startswith("h"):
            toggle = 'toggle="true"' in attrs
            level = min(int(tag[1]), 4)
            suffix = ' {toggle="true"}' if toggle else suffix
            head = "#" * level + " "
        else:
            head = "> " if tag == "quote" else ""
        out.append(f"{pad}{head}{_literal(inner)}{suffix}" if inner or head else f"{pad}<empty-block/>")
        _blocks(body, depth + 1, out)
    return end + 1
