"""The house keeps its shape: the rules know nothing of Telegram or the database, the use cases
know nothing of Telegram, and no module imports one that imports it back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "db", "content")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file (inside functions and
    TYPE_CHECKING blocks too), resolved to project modules where it names one."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            for alias in node.names:  # "from bot.rules import family" names a module
                if f"{node.module}.{alias.name}" in MODULES:
                    names.add(f"{node.module}.{alias.name}")
    return names


def _top(name: str) -> str:
    return name.split(".")[0]


def _in(package: str) -> list[str]:
    return sorted(m for m in MODULES if m == package or m.startswith(package + "."))


@pytest.mark.parametrize("module", _in("bot.rules"))
def test_a_rule_imports_no_telegram_database_or_handler(module: str) -> None:
    forbidden = {"telegram", "db", "handlers", "sqlalchemy", "sqlmodel", "aiosqlite", "asyncpg"}
    bad = {n for n in _imports(MODULES[module]) if _top(n) in forbidden}
    assert not bad, f"{module} imports {sorted(bad)}"
    inside_bot = {n for n in _imports(MODULES[module])
                  if _top(n) == "bot" and not n.startswith("bot.rules")}
    assert not inside_bot, f"{module} reaches outside the rules: {sorted(inside_bot)}"


@pytest.mark.parametrize("module", _in("bot.flows"))
def test_a_use_case_imports_no_telegram_or_handler(module: str) -> None:
    bad = {n for n in _imports(MODULES[module]) if _top(n) in {"telegram", "handlers"}}
    assert not bad, f"{module} imports {sorted(bad)}"


def test_importing_the_rules_and_use_cases_loads_no_forbidden_library() -> None:
    """The same, as Python sees it: import every rule and use case in a fresh interpreter and
    look at what got loaded along the way."""
    rules = _in("bot.rules")
    flows = _in("bot.flows")
    script = (
        "import importlib, sys\n"
        f"for m in {rules!r}: importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in "
        "{'telegram', 'db', 'handlers', 'sqlalchemy', 'sqlmodel'})\n"
        "assert not bad, ('rules', bad)\n"
        f"for m in {flows!r}: importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in {'telegram', 'handlers'})\n"
        "assert not bad, ('flows', bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set()
        for name in _imports(path):
            if name in MODULES and name != module and not module.startswith(name + "."):
                targets.add(name)
        graph[module] = targets
    return graph


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_package_says_what_belongs_in_it() -> None:
    for package in ("bot.rules", "bot.flows", "bot.jobs", "bot.materials"):
        doc = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, package


@pytest.mark.parametrize("module", _in("bot.materials"))
def test_the_materials_import_no_telegram_database_or_handler(module: str) -> None:
    bad = {n for n in _imports(MODULES[module]) if _top(n) in {"telegram", "db", "handlers"}}
    assert not bad, f"{module} imports {sorted(bad)}"


@pytest.mark.parametrize("module", _in("bot.jobs"))
def test_a_job_imports_no_handler(module: str) -> None:
    bad = {n for n in _imports(MODULES[module]) if _top(n) == "handlers"}
    assert not bad, f"{module} imports {sorted(bad)}"
