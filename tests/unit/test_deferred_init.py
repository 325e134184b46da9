"""tasks_shared/deferred_init.py: a package's submodules import without its __init__, and every name the
__init__ re-exports is the same object as when the package is imported normally."""

import json
import subprocess
import sys
import textwrap

import pytest

from tasks_shared.deferred_init import reexports

POWERTOOLS = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")

_NAMES = """
import importlib, json, sys, types
from tasks_shared.deferred_init import defer_package_init
package, deferred = sys.argv[1], sys.argv[2] == "deferred"
done = defer_package_init(package) if deferred else None
module = importlib.import_module(package)
loaded_before = sorted(m for m in sys.modules if m.startswith(package + "."))
names = sorted(getattr(module, "__all__", []))
objects = {}
for name in names:
    value = getattr(module, name)
    where = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    objects[name] = [type(value).__name__, *where]
print(json.dumps({"done": done, "names": names, "objects": objects, "loaded_before": loaded_before}))
"""


def _names(package: str, deferred: bool) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", _NAMES, package, "deferred" if deferred else "normal"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("package", POWERTOOLS)
def test_a_deferred_package_exports_the_same_objects_as_the_package_imported_normally(package):
    normal, deferred = _names(package, deferred=False), _names(package, deferred=True)

    assert deferred["done"] is True
    assert deferred["names"] == normal["names"]
    assert deferred["objects"] == normal["objects"]


@pytest.mark.parametrize("package", POWERTOOLS)
def test_a_deferred_package_imports_none_of_its_submodules_until_a_name_is_used(package):
    assert _names(package, deferred=True)["loaded_before"] == []


def test_a_name_that_is_also_a_submodule_stays_the_reexported_object():
    """data_classes re-exports the function `event_source` from its submodule of the same name."""
    code = textwrap.dedent("""
        from tasks_shared.deferred_init import defer_package_init
        defer_package_init("aws_lambda_powertools.utilities.data_classes")
        import aws_lambda_powertools.utilities.data_classes.event_source
        from aws_lambda_powertools.utilities.data_classes import event_source
        print(type(event_source).__name__)
    """)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "function"


def test_an_init_that_only_reexports_is_read_as_its_names():
    source = '"""Doc."""\nfrom .a import B, C as D\nfrom pkg.e import F\n__all__ = ["B", "D", "F"]\n'

    assert reexports("pkg", source) == (
        {"B": ("pkg.a", "B"), "D": ("pkg.a", "C"), "F": ("pkg.e", "F")},
        ["B", "D", "F"],
    )


@pytest.mark.parametrize(
    "source",
    ["from .a import B\nsetup()\n", "from .a import *\n", "import os\nfrom .a import B\n", "X = 1\n"],
)
def test_an_init_that_does_more_than_reexport_is_left_to_run(source):
    assert reexports("pkg", source) is None


def test_a_package_with_logic_in_its_init_is_imported_normally():
    code = textwrap.dedent("""
        import sys
        from tasks_shared.deferred_init import defer_package_init
        print(defer_package_init("aws_lambda_powertools"), "aws_lambda_powertools" in sys.modules)
    """)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False"]
