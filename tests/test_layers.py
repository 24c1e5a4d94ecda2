"""The layers of docs/architecture.md hold: every module sits in a layer, and no import points up."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("ground", "catalogue", "sellers", "seasons", "traceability", "search", "marketplace")


def _contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return contract


def _layered_modules() -> set[str]:
    names = set()
    for layer in _contract()["layers"]:
        names.update(name.strip() for part in layer.split("|") for name in part.split(":"))
    return names


def test_every_marketplace_module_has_a_layer():
    """A new module in marketplace/ must be placed in a layer, or the contract would not see it."""
    # given the modules and packages directly under marketplace/
    found = {
        f"marketplace.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "marketplace").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    # then each is named in the layers contract
    assert found - _layered_modules() == set()


def test_every_app_is_in_the_contract():
    layered = {name.split(".")[0] for name in _layered_modules()}
    assert set(APPS) <= layered


def _imports_inside_functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node.lineno, lines[node.lineno - 1], lines[node.lineno - 2]


def test_every_import_inside_a_function_says_why():
    """An import inside a function hides a dependency: each carries a one-line reason (a comment on
    the line or the line above). Migrations are generated and left out."""
    unexplained = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for lineno, line, above in _imports_inside_functions(path):
                if "#" not in line and not above.strip().startswith("#"):
                    unexplained.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert unexplained == []
