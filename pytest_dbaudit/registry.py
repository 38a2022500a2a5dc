"""Where check implementations register under their catalog id and mode.

An item's metadata lives in the YAML catalog; its code is one function registered here with
``@check("SE-11", "static")``. Items with no registered code (and no declarative SQL) are
attestations until someone writes the code.
"""

from __future__ import annotations

from typing import Callable

CheckFn = Callable[..., object]

_REGISTRY: dict[tuple[str, str], CheckFn] = {}


def check(item_id: str, *modes: str) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn(subject, ctx)`` as the implementation of ``item_id`` in ``modes``."""

    def deco(fn: CheckFn) -> CheckFn:
        for mode in modes:
            key = (item_id, mode)
            old = _REGISTRY.get(key)
            if old is not None and (old.__module__, old.__qualname__) != (fn.__module__, fn.__qualname__):
                raise ValueError(f"{item_id} already has a {mode} implementation: {old.__qualname__}")
            _REGISTRY[key] = fn
        return fn

    return deco


def implementation(item_id: str, mode: str) -> CheckFn | None:
    return _REGISTRY.get((item_id, mode))


_MODE_ORDER = {"static": 0, "live": 1, "drill": 2}


def implemented_modes(item_id: str) -> list[str]:
    """In a fixed order: registration order depends on which module a process imported first."""
    return sorted((mode for (iid, mode) in _REGISTRY if iid == item_id), key=lambda m: (_MODE_ORDER.get(m, 9), m))


def load_builtin_rules() -> None:
    from . import rules  # noqa: F401  (importing registers the built-in checks)
