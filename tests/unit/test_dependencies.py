"""Dependencies are chosen, not accumulated: every runtime dependency in pyproject.toml is imported by
woonext, or is named here with the reason it is needed without an import of ours."""

from __future__ import annotations

import ast
import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Needed although no module of ours imports them, and why.
INDIRECT = {
    "sniffio": "httpcore imports it for every lock it creates",
    "python-multipart": "Starlette's request.form(), which the ERPNext simulator uses for form-encoded calls",
}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_distributions() -> set[str]:
    top_level: set[str] = set()
    for path in (ROOT / "src" / "woonext").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                top_level.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                top_level.add(node.module.split(".")[0])
    owners = packages_distributions()
    return {_normalise(dist) for name in top_level for dist in owners.get(name, [])}


def test_every_declared_dependency_is_used() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {_normalise(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0]) for spec in declared}
    assert names - imported_distributions() - set(INDIRECT) == set()
    assert "pydantic-settings" not in names


def test_the_form_parser_the_simulator_needs_is_there() -> None:
    source = (ROOT / "src" / "woonext" / "sim" / "erpnext" / "app.py").read_text(encoding="utf-8")
    assert "await request.form()" in source  # the reason python-multipart is declared
    import python_multipart  # noqa: F401  (Starlette raises without it)
