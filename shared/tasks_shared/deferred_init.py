"""Import a library package's submodules without running its `__init__`, whose names load on first use.

Why: Powertools' `aws_lambda_powertools.event_handler/__init__.py` imports every resolver (AppSync,
AppSync Events, Bedrock Agents, VPC Lattice, ...), and `utilities/data_classes/__init__.py` every event
class (about forty modules), though a function uses one or two of each; importing
`event_handler.api_gateway` still runs the package's `__init__` first. Powertools documents no way
around it (checked against 3.37), so at cold start the API paid for modules it never touches.

How: `defer_package_init` registers the package in `sys.modules` as a module built from its own spec,
with its `__path__` (so `import package.submodule` works), but without running its `__init__`. Each
name that `__init__` re-exports (read from its source, never guessed) is imported from its submodule
on first access, as `from package import Name` or `package.Name`, so the package's users, Powertools'
own modules among them, see the same objects as before.

It applies only where that is all an `__init__` does: a docstring, `from ... import` statements and
`__all__`. Anything else (a Powertools upgrade that adds logic there), or a package already imported,
and it does nothing, so the normal import runs. tests/unit/test_deferred_init.py holds the names the same
as the real package's; tests/contract/test_cold_start_imports.py holds what stays out of cold start.
"""

import ast
import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


class _DeferredPackage(ModuleType):
    """A package whose re-exported names are imported on first access."""

    _exports: dict[str, tuple[str, str]]

    def __getattr__(self, name: str) -> Any:
        exports = self.__dict__.get("_exports", {})
        if name not in exports:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        source, attribute = exports[name]
        module = importlib.import_module(source)
        try:
            value = getattr(module, attribute)
        except AttributeError:  # `from .pkg import submodule`
            value = importlib.import_module(f"{source}.{attribute}")
        ModuleType.__setattr__(self, name, value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing submodule `x` binds it as attribute `x` of its package. Where `__init__` re-exports
        # another object under that name (data_classes' `event_source` function, from its module of
        # the same name), the re-export wins, as it does in the package imported normally.
        exported = self.__dict__.get("_exports", {}).get(name)
        submodule = isinstance(value, ModuleType) and value.__name__ == f"{self.__name__}.{name}"
        if submodule and exported not in (None, (self.__name__, name)):
            return
        ModuleType.__setattr__(self, name, value)

    def __dir__(self) -> list[str]:
        return sorted({*self.__dict__, *self.__dict__.get("_exports", {})})


def reexports(package: str, source: str) -> tuple[dict[str, tuple[str, str]], list[str]] | None:
    """name -> (module, attribute) for each `from ... import` of an `__init__`, and its `__all__`; None
    when the `__init__` does anything else."""
    exports: dict[str, tuple[str, str]] = {}
    public: list[str] = []
    for index, node in enumerate(ast.parse(source).body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            if any(alias.name == "*" for alias in node.names):
                return None
            exports.update({alias.asname or alias.name: (base, alias.name) for alias in node.names})
        elif isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            public = list(ast.literal_eval(node.value))
        else:
            return None
    return exports, public


def defer_package_init(package: str) -> bool:
    """Register `package` with its `__init__` deferred; False (nothing done) where that cannot be exact."""
    if package in sys.modules:
        return False
    spec = importlib.util.find_spec(package)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return False
    get_source = getattr(spec.loader, "get_source", None)
    source = get_source(package) if get_source else None
    parsed = reexports(package, source) if source else None
    if parsed is None:
        return False
    exports, public = parsed
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _DeferredPackage
    ModuleType.__setattr__(module, "_exports", exports)
    ModuleType.__setattr__(module, "__all__", public)
    sys.modules[package] = module
    parent, _, child = package.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    return True
