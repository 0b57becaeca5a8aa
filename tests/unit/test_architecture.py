"""The layering holds: nothing below the states knows about Reflex."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "lcadmin"
# Layers that must stay plain Python so they can be used by the CLI, workers and tests alike.
REFLEX_FREE = ["domain", "services", "pdf", "mail", "payments", "i18n", "models.py", "db.py",
               "settings.py", "demo.py", "migrations.py", "cli.py", "logs.py", "jobs.py", "worker.py",
               "metrics.py", "backup.py"]


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


# What a state's method may reach only through the work it hands to ``lcadmin.states.service.run``
# (which runs it in a worker thread, in a transaction, for the resolved principal).
_OFF_LOOP = ("lcadmin.services", "lcadmin.db", "lcadmin.pdf", "lcadmin.payments", "lcadmin.mail")
_ALLOWED = {"lcadmin.services.errors", "lcadmin.services.context"}  # error classes and the context type


def _off_loop_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(_OFF_LOOP) \
                and node.module not in _ALLOWED:
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name.startswith(_OFF_LOOP))
    return names


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _direct_calls(function: ast.AST, names: set[str]) -> list[str]:
    """Calls into ``names`` a function makes itself, outside the functions and lambdas it defines
    (those are the work it hands to ``run``). Naming a constant, or passing a use case to ``run``
    without calling it, is fine."""
    found = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef))
            if not inner and isinstance(child, ast.Call) and _root_name(child.func) in names:
                found.append(f"{ast.unparse(child.func)} (line {child.lineno})")
            visit(child, inner)

    visit(function, False)
    return found


@pytest.mark.parametrize("path", [p for p in _modules("states") if p.name not in ("service.py", "tab.py")],
                         ids=lambda p: p.name)
def test_state_methods_reach_services_databases_pdfs_and_providers_only_through_run(path):
    tree = ast.parse(path.read_text())
    names = _off_loop_names(tree)
    offenders = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for method in (n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
            if uses := _direct_calls(method, names):
                offenders[f"{cls.name}.{method.name}"] = uses
    assert not offenders, f"{path.name}: call these inside the work handed to run(): {offenders}"


def test_the_guard_reads_every_state_module():
    assert len([p for p in _modules("states") if p.name not in ("service.py", "tab.py", "__init__.py")]) >= 10
