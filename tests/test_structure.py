"""The code's dependencies point one way: no import cycle between project modules, no import
hidden in a function to dodge one, and migrations that import nothing of the app they migrate."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("articles", "indicators", "hitech_portal")
# Imports that belong inside a function by Django's own idiom: an AppConfig.ready() connecting
# receivers and checks once the models are loaded.
DEFERRED_BY_DESIGN = {"articles.apps", "indicators.apps", "hitech_portal.apps"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


def imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """Project modules an import statement names (``from a import b`` names ``a.b`` when it is a
    module, else ``a``)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    if not isinstance(node, ast.ImportFrom):
        return set()
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor if is_package else anchor[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    names = set()
    for alias in node.names:
        child = f"{base}.{alias.name}"
        names.add(child if child in known else base)
    return names & known


def module_level_imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Imports run when the module is imported: its body and class bodies, not function bodies."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, stack = set(), list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        found |= imported(node, module, path.name == "__init__.py", known)
        stack.extend(ast.iter_child_nodes(node))
    return found


def function_level_imports(path: Path, module: str, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                found |= imported(node, module, path.name == "__init__.py", known)
    return found


def test_no_import_cycle_between_project_modules():
    modules = project_modules()
    known = set(modules)
    graph = {
        name: module_level_imports(path, name, known) - {name} for name, path in modules.items()
    }
    cycles = []

    def visit(name, trail):
        if name in trail:
            cycles.append(trail[trail.index(name) :] + [name])
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*trail, name])
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        visit(name, [])
    assert cycles == []
    # The one that used to be papered over: the models never reach the search index.
    reachable, todo = set(), ["articles.models"]
    while todo:
        for target in graph[todo.pop()] - reachable:
            reachable.add(target)
            todo.append(target)
    assert not any(name.startswith("articles.search") for name in reachable)


def test_no_project_import_is_hidden_inside_a_function():
    modules = project_modules()
    known = set(modules)
    hidden = {
        name: sorted(function_level_imports(path, name, known))
        for name, path in modules.items()
        if name not in DEFERRED_BY_DESIGN
    }
    assert {name: found for name, found in hidden.items() if found} == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_migrations_import_no_app_code(package):
    """Migrations are history: Django, the standard library and the field classes of installed
    libraries (simple-history's), never the project's own modules, which change."""
    for path in sorted((ROOT / package / "migrations").glob("0*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if not node.level else [package]
            for name in names:
                assert name.split(".")[0] not in PACKAGES, (path.name, name)


def test_the_search_package_imports_first_in_a_fresh_interpreter():
    """Imported before anything else has loaded the models (after django.setup(), as any entry
    point does): a cycle through articles.models would fail here."""
    code = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'hitech_portal.settings'); django.setup(); import articles.search; "
        "print(articles.search.search.__module__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "articles.search"
