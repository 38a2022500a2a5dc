"""Import a package's submodules on first use instead of when the package loads.

pglast's parser extension imports ``pglast.ast`` (hundreds of node classes, and ``decimal``) and
``pglast.enums`` when it loads. The SQL rules read libpg_query's JSON and use neither, yet the two
cost about 25 ms, most of a short ``dbaudit lint-sql`` run's start-up. ``defer`` puts a placeholder
for each module in ``sys.modules``: its name, file and ``__path__`` are there for the import
system, and the first other name asked of it runs the real module, into the same module object,
so code that uses pglast's nodes later still gets them.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
import types

_LOCK = threading.RLock()


class _Deferred(types.ModuleType):
    def __getattr__(self, name: str):
        # only names the module does not have yet get here: __spec__, __path__ and __file__, which the
        # import system reads, are set; __all__ (for "import *") is one that runs it
        with _LOCK:
            if type(self) is _Deferred and not self.__dict__.get("_deferred_running"):
                self.__dict__["_deferred_running"] = True
                try:
                    self.__spec__.loader.exec_module(self)
                except BaseException:
                    sys.modules.pop(self.__name__, None)  # as a failed import leaves it: the next import retries
                    raise
                finally:
                    self.__dict__.pop("_deferred_running", None)
                self.__class__ = types.ModuleType
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None


def defer(package: str, *submodules: str) -> None:
    """Placeholders for ``package.submodule`` modules not imported yet, without importing ``package``."""
    if package in sys.modules:
        return  # its submodules have loaded with it
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return  # not installed (its importer reports that) or not a package
    for sub in submodules:
        name = f"{package}.{sub}"
        sub_spec = importlib.machinery.PathFinder.find_spec(name, spec.submodule_search_locations)
        if sub_spec is None or name in sys.modules:
            continue
        module = importlib.util.module_from_spec(sub_spec)
        module.__class__ = _Deferred
        sys.modules[name] = module
