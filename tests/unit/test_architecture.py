"""The layering holds: nothing below the states knows about Reflex."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "lcadmin"
# Layers that must stay plain Python so they can be used by the CLI, workers and tests alike.
REFLEX_FREE = ["domain", "services", "pdf", "mail", "payments", "i18n", "models.py", "db.py",
               "settings.py", "demo.py", "migrations.py", "cli.py", "logs.py", "jobs.py"]


def _modules(entry: str) -> list[Path]:
    path = PACKAGE / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", [p for entry in REFLEX_FREE for p in _modules(entry)],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_lower_layers_never_import_reflex(path):
    offenders = {name for name in _imported(path) if name == "reflex" or name.startswith(("reflex.", "reflex_"))}
    assert not offenders, f"{path.relative_to(PACKAGE)} imports {sorted(offenders)}"


@pytest.mark.parametrize("path", _modules("pages") + _modules("components"),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pages_and_components_never_touch_the_database(path):
    offenders = {name for name in _imported(path)
                 if name in {"sqlmodel", "sqlalchemy", "lcadmin.db", "lcadmin.models"} or name.startswith("lcadmin.services")}
    assert not offenders, f"{path.relative_to(PACKAGE)} imports {sorted(offenders)}"


def test_the_guard_sees_every_layer():
    assert len([p for entry in REFLEX_FREE for p in _modules(entry)]) >= 15
