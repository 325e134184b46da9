"""The README's Mermaid architecture diagram matches infra/: every module is in it, and it names none
that does not exist."""

import re

from tests.contract.terraform import INFRA, MODULES

README = (INFRA.parent / "README.md").read_text()


def _diagram() -> str:
    section = README.split("## Architecture in AWS", 1)[1]
    return re.search(r"```mermaid\n(.*?)```", section, re.DOTALL)[1]


def test_every_module_under_infra_modules_is_in_the_diagram():
    modules = {path.name for path in MODULES.iterdir() if path.is_dir() and any(path.glob("*.tf"))}

    drawn = set(re.findall(r"modules/([a-z_-]+)", _diagram()))

    assert modules - drawn == set()


def test_the_diagram_names_no_module_that_does_not_exist():
    drawn = set(re.findall(r"modules/([a-z_-]+)", _diagram()))

    assert {name for name in drawn if not (MODULES / name).is_dir()} == set()


def test_the_diagram_draws_every_function_of_the_manifests():
    functions = {path.parent.name for path in (INFRA.parent / "services").glob("*/function.yml")}

    assert {name for name in functions if name not in _diagram()} == set()
