"""Structured files parsed once per run: YAML (with line numbers), JSON, TOML, HCL.

A file that does not parse is recorded with one readable reason (``ParseError``) and yields
nothing; the checks that needed it report "unknown", never a pass.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

import yaml

from .walk import Repository

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping that remembers the line it started on (1-based)."""

    line = 0


class _LineLoader(_Base):  # type: ignore[misc,valid-type]
    def _map(self, node):
        data = LineDict()
        data.line = node.start_mark.line + 1
        yield data
        data.update(self.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader._map)


@dataclass(frozen=True)
class ParseError:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: could not parse: {self.reason}"


def _yaml(text: str) -> list[Any]:
    return [d for d in yaml.load_all(text, Loader=_LineLoader) if d is not None]


def parsed(repo: Repository, rel: str, kind: str) -> Any | ParseError:
    """The parsed content of one file (YAML: a list of documents), cached for the run."""
    return repo.model(f"{kind}:{rel}", lambda r: _parse(r, rel, kind))


def _parse(repo: Repository, rel: str, kind: str) -> Any | ParseError:
    text = repo.text(rel)
    if text is None:
        why = "larger than the size cap" if rel in repo.stats.skipped_large else "binary or unreadable"
        return ParseError(rel, why)
    if "\ufffd" in text:
        return ParseError(rel, "not UTF-8 text")
    try:
        if kind == "yaml":
            return _yaml(text)
        if kind == "json":
            return json.loads(text)
        if kind == "toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            return tomllib.loads(text)
        if kind == "hcl":
            import hcl2
            from hcl2 import SerializationOptions

            return hcl2.loads(text, serialization_options=SerializationOptions(strip_string_quotes=True))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}: " if mark else ""
        return ParseError(rel, f"{at}{getattr(exc, 'problem', None) or exc}")
    except RecursionError:
        return ParseError(rel, "nested too deeply")
    except Exception as exc:  # every parser has its own exception types; the run must go on
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return ParseError(rel, f"{type(exc).__name__}: {first[:200]}")
    raise ValueError(kind)

