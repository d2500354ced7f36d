"""The layout's rules: import contracts, modules small enough to read, docstrings, file names spelled once."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CODE = sorted([REPO / "dodo.py", *REPO.glob("lib/**/*.py"), *REPO.glob("tasks/**/*.py")])
MAX_LINES = 260


def test_import_contracts_hold():
    """lib never imports tasks or dodo, no cycles, stages use faces, packages import only downward."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), str(REPO / "tests" / "import_contracts.ini"), "--no-cache", "--no-logo"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


def test_lib_holds_a_dozen_entries_at_most():
    """A newcomer meets the packages, not a heap of loose modules: at most 12 entries in lib/."""
    entries = sorted(p.name for p in (REPO / "lib").iterdir() if p.name != "__pycache__")
    assert len(entries) <= 12, entries
    loose = [name for name in entries if name.endswith(".py") and name != "__init__.py"]
    assert loose == [], f"loose modules belong in a package (lib/core/ for the small leaves): {loose}"


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(REPO)))
def test_module_is_small_and_documented(path):
    source = path.read_text()
    assert len(source.splitlines()) <= MAX_LINES, f"{path.name}: over {MAX_LINES} lines, split it by idea"
    tree = ast.parse(source)
    assert ast.get_docstring(tree), "a one-line module docstring says what the module is for"
    undocumented = [node.name for node in ast.walk(tree)
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                    and not node.name.startswith("_") and node.col_offset == 0 and not ast.get_docstring(node)]
    assert not undocumented, f"public names without a docstring: {undocumented}"


def _string_constants(path):
    return {node.value for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_every_manifest_and_state_file_is_named_only_in_the_layout():
    paths = REPO / "lib" / "core" / "layout.py"
    names = {value for value in _string_constants(paths)
             if value.endswith((".json", ".zip", ".sqlite", ".lock", ".journal")) and "/" not in value}
    names |= {value.rsplit("/", 1)[1] for value in _string_constants(paths) if value.endswith(".json") and "/" in value}
    assert {"snapshot.json", "failures.json", "coverage_report.json", "workspace_export.json"} <= names
    spelled = {path.relative_to(REPO).as_posix(): sorted(names & _string_constants(path))
               for path in CODE if path != paths}
    assert {where: found for where, found in spelled.items() if found} == {}


def _exits(tree):
    """Yield the line of every sys.exit(...) call and `raise SystemExit` outside an `if __name__ == "__main__":`."""
    guarded = {id(node) for guard in ast.walk(tree) if isinstance(guard, ast.If)
               and ast.unparse(guard.test).replace("'", '"') == '__name__ == "__main__"' for node in ast.walk(guard)}
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("sys.exit", "exit", "quit", "os._exit"):
            yield node.lineno
        if isinstance(node, ast.Raise) and node.exc is not None and "SystemExit" in ast.unparse(node.exc):
            yield node.lineno


def test_only_the_entry_point_exits():
    """The process's exit status is set in one place, lib/run/main.py; nothing exits at import time or inside a
    doit action (a program's own `if __name__ == "__main__":` block, like the CI matrix's, is its entry point)."""
    entry = REPO / "lib" / "run" / "main.py"
    found = {path.relative_to(REPO).as_posix(): lines for path in CODE if path != entry
             for lines in [list(_exits(ast.parse(path.read_text())))] if lines}
    assert found == {}
    assert list(_exits(ast.parse(entry.read_text())))
