"""The house's shape, held by tests: imports flow one way (cli -> app -> {job, outputs, platforms} -> stages -> io -> model,
errors.py below them all), imports inside functions and under TYPE_CHECKING count too, there is no import circle,
subpackages' __init__ files are empty and no module grows past about 400 lines."""

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "csvprep"
LAYERS = {"model": 0, "io": 1, "stages": 2, "job": 3, "outputs": 3, "platforms": 3, "app": 4, "cli": 5}
# modules outside the subpackages: errors at the bottom, the pandera contract beside the outputs, the package's
# public face on top
TOP_LEVEL = {"csvprep.errors": -1, "csvprep.schema": 3, "csvprep": 6, "csvprep.__main__": 6}
MAX_LINES = 400
SIBLINGS = {"job", "outputs", "platforms"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> tuple[int, str]:
    if module in TOP_LEVEL:
        return TOP_LEVEL[module], module
    group = module.split(".")[1]
    return LAYERS[group], group


def imported(path: Path) -> list[tuple[int, str]]:
    """Every csvprep module ``path`` imports, wherever the import stands, with its line."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if base != "csvprep" and not base.startswith("csvprep."):
                continue
            for alias in node.names:  # `from . import module` names a module
                target = f"{base}.{alias.name}"
                found.append((node.lineno, target if target in MODULES else base))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "csvprep"]
    return [(line, target) for line, target in found if target != name]


def test_the_layers_are_the_packages_there_are():
    groups = {path.parent.relative_to(PACKAGE).parts[0] for path in PACKAGE.rglob("*.py") if path.parent != PACKAGE}
    assert groups == set(LAYERS)
    assert {name for name, path in MODULES.items() if path.parent == PACKAGE} == set(TOP_LEVEL)


def test_every_import_follows_the_layer_order():
    wrong = []
    for name, path in MODULES.items():
        here, group = layer(name)
        for line, target in imported(path):
            there, other = layer(target)
            # job, outputs and platforms are siblings: none knows another
            if there > here or (there == here and group != other and {group, other} <= SIBLINGS):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {name} imports {target}")
    assert wrong == []


def test_there_is_no_import_circle():
    edges = {name: {target for _, target in imported(path)} for name, path in MODULES.items()}
    # a package's __init__ is imported with each of its modules: it holds nothing here, so it closes no circle
    circles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges.get(module, ()):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in edges:
        if module not in index:
            visit(module)
    assert circles == []


def test_subpackage_init_files_are_empty():
    # `csvprep check` must not import what it does not use: a subpackage's __init__ would run on every import
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent != PACKAGE:
            assert init.read_text(encoding="utf-8").strip() == "", init


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_four_hundred_lines(name):
    assert len(MODULES[name].read_text(encoding="utf-8").splitlines()) <= MAX_LINES, name


def test_one_spelling_of_normalise():
    spelt = [f"{path.relative_to(ROOT)}:{number}" for path in MODULES.values()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if "normaliz" in line.lower() and "normalize_digits_only" not in line and "unicodedata.normalize" not in line
             and "normalize_phones" not in line]
    assert spelt == []
