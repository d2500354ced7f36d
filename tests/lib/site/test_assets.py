"""The site's style sheets: every colour comes from site.css's variables, which dark mode sets again."""
import re
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[3] / "lib" / "site" / "assets"
COLOUR_RE = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(")


def rules_outside_variables(css):
    """Return the CSS text outside the :root blocks that define the colour variables, comments removed."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return re.sub(r":root\s*\{[^}]*\}", "", css)


def test_colours_are_variables_set_for_light_and_dark():
    site = (ASSETS / "site.css").read_text(encoding="utf-8")
    light, dark = re.findall(r":root\s*\{([^}]*)\}", site)
    names = lambda block: set(re.findall(r"(--[\w-]+):", block))
    assert names(dark) == names(light) - {"--side"}
    for sheet in ASSETS.glob("*.css"):
        text = rules_outside_variables(sheet.read_text(encoding="utf-8"))
        # Shadows (#0002: black, transparent) read on both; any other colour must be a variable.
        left = [c for c in COLOUR_RE.findall(text) if c not in ("#0002", "#0003")]
        assert left == [], sheet.name
        assert set(re.findall(r"var\((--[\w-]+)\)", text)) <= names(light), sheet.name
