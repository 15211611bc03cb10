"""The apps' layers hold: every import, module-level or inside a function, points down the chain.

The contracts live in pyproject.toml (``[tool.importlinter]``); docs/architecture.md draws them.
import-linter runs in a child process: it reads the source files (nothing is imported), and a
child does not see the modules this test session has already imported.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(  # the linter's own command line, on the project's pyproject.toml
        [sys.executable, "-c", LINT], cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def broken_contracts(result: subprocess.CompletedProcess) -> str:
    """The linter's list of imports that break a contract (everything after its summary)."""
    out = result.stdout + result.stderr
    return out[out.find("Broken contracts") :] if "Broken contracts" in out else out


def root_packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["root_packages"]


def test_every_app_is_in_the_layers():
    """A new app must be placed in a layer, or nothing checks its imports."""
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")} | {"contest_site"}
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    in_layers = {name.strip() for layer in layers for name in layer.split("|")}
    assert apps == set(root_packages()) == in_layers


def test_the_architecture_page_draws_the_layers_the_test_enforces():
    """docs/architecture.md's picture names the apps top to bottom in the contract's order."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    picture = page.split("## The layers", 1)[1].split("```")[1]
    apps = set(root_packages())
    drawn = [[word for word in line.split() if word in apps] for line in picture.splitlines()]
    assert [row for row in drawn if row] == [[name.strip() for name in layer.split("|")] for layer in layers]


def test_imports_point_down_the_layers():
    result = lint_imports(ROOT)
    if result.returncode != 0:
        pytest.fail("An import points up the layers (see docs/architecture.md):\n\n" + broken_contracts(result))


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """The apps' sources and the contracts, copied, to break on purpose."""
    copy = tmp_path_factory.mktemp("layers")
    shutil.copy(ROOT / "pyproject.toml", copy)
    for package in root_packages():
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return copy


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "core/upward.py",
            "from events.selectors import events_published\n",
            ["core is not allowed to import events", "core.upward -> events.selectors (l.1)"],
        ),
        (
            "events/upward.py",
            "def later():\n    from judging.models import Round\n\n    return Round\n",
            ["events is not allowed to import judging", "events.upward -> judging.models (l.2)"],
        ),
        (
            "experts/sideways.py",
            "from awards.selectors import vote_counts\n",
            ["experts is not allowed to import awards", "experts.sideways -> awards.selectors (l.1)"],
        ),
        (
            "notifications/models.py",
            "from notifications.services import user_notify\n",
            ["notifications.models is not allowed to import notifications.services"],
        ),
    ],
    ids=["module-level-up", "function-level-up", "between-siblings", "models-import-services"],
)
def test_an_import_against_the_layers_fails_the_check(project_copy, module, source, expected):
    path = project_copy / module
    original = path.read_text(encoding="utf-8") if path.exists() else None
    path.write_text((original + "\n" if original else "") + source, encoding="utf-8")
    try:
        result = lint_imports(project_copy)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_text(original, encoding="utf-8")
    report = broken_contracts(result)
    assert result.returncode == 1
    assert [line for line in expected if line not in report] == [], report
