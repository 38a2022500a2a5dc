"""Terraform: resources and module calls, with variables, locals and tfvars resolved where they can be.

Parsed with python-hcl2 (a real HCL2 grammar). A value that still depends on something only
known at plan time (another resource, a data source, a function call, an unset variable) is
returned as ``Unresolved`` carrying the expression, so a check reports "unknown" and shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .structured import ParseError, parsed
from .walk import Repository, line_of


@dataclass(frozen=True)
class Unresolved:
    expression: str

    def __str__(self) -> str:
        return self.expression


@dataclass
class Block:
    kind: str  # "resource" | "module"
    type: str  # resource type, or the module source
    name: str
    file: str
    line: int
    attrs: dict[str, Any]
    directory: str

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}" if self.kind == "resource" else f"module.{self.name}"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class TerraformModel:
    blocks: list[Block] = field(default_factory=list)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)  # directory -> name -> value
    locals: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # directory -> "aws.dr" -> body
    errors: list[ParseError] = field(default_factory=list)

    def resources(self, *types: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == "resource" and b.type in types]

    def modules(self, source_pattern: str) -> list[Block]:
        rx = re.compile(source_pattern)
        return [b for b in self.blocks if b.kind == "module" and rx.search(b.type)]

    def region(self, block: Block) -> Any:
        """Where a resource lives: its own ``region``/``location``, else its provider's region (the aliased
        provider named by ``provider = aws.dr``, else the default one). None when nothing says."""
        for key in ("region", "location"):
            if key in block.attrs:
                return self.value(block, key)
        ref = block.attrs.get("provider")
        name = reference(ref) if isinstance(ref, str) else None
        name = name or block.type.split("_", 1)[0]
        scopes = [self.providers.get(block.directory, {})] + [p for d, p in self.providers.items()
                                                               if d != block.directory]
        for scope in scopes:  # providers usually live in the root module, resources in child modules
            if name in scope and "region" in scope[name]:
                return self.resolve(scope[name]["region"], block.directory)
        return None

    def value(self, block: Block, key: str, default: Any = None) -> Any:
        """The attribute's value with variables and locals resolved; ``default`` when absent."""
        if key not in block.attrs:
            return default
        return self.resolve(block.attrs[key], block.directory)

    def resolve(self, value: Any, directory: str, depth: int = 0) -> Any:
        if isinstance(value, list):
            return [self.resolve(v, directory, depth) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v, directory, depth) for k, v in value.items() if not k.startswith("__")}
        if not isinstance(value, str) or "${" not in value:
            return value
        m = re.fullmatch(r"\$\{(var|local)\.([A-Za-z_][\w-]*)\}", value)
        if not m or depth > 10:
            return Unresolved(value[2:-1] if value.startswith("${") and value.endswith("}") else value)
        table = self.variables if m.group(1) == "var" else self.locals
        scope = table.get(directory, {})
        if m.group(2) not in scope:
            return Unresolved(f"{m.group(1)}.{m.group(2)}")
        return self.resolve(scope[m.group(2)], directory, depth + 1)


def reference(value: Any) -> str | None:
    """The address a reference names: ``${aws_db_instance.main.arn}`` -> ``aws_db_instance.main``,
    ``${aws.dr}`` -> ``aws.dr``; None for anything else (a literal, a call, an expression)."""
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"\$\{([A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)(?:\.[\w-]+)?\}", value)
    return m.group(1) if m else None


def terraform_of(repo: Repository) -> TerraformModel:
    return repo.model("terraform", _build)  # type: ignore[return-value]


def _labels(entry: dict, depth: int) -> list[tuple[list[str], dict]]:
    """Flatten hcl2's nested label dicts: {"aws_db_instance": {"main": {...}}} -> [(["aws_db_instance","main"], {...})]."""
    out = []
    for label, inner in entry.items():
        if not isinstance(inner, dict):
            continue
        if depth > 1:
            for labels, body in _labels(inner, depth - 1):
                out.append(([label] + labels, body))
        else:
            out.append(([label], inner))
    return out


def _build(repo: Repository) -> TerraformModel:
    model = TerraformModel()
    tfvars: dict[str, dict[str, Any]] = {}
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        directory = rel.rsplit("/", 1)[0] if "/" in rel else ""
        if name.endswith(".tf"):
            data = parsed(repo, rel, "hcl")
            if isinstance(data, ParseError):
                model.errors.append(data)
                continue
            text = repo.text(rel) or ""
            for entry in data.get("variable", []):
                for (var,), body in _labels(entry, 1):
                    if "default" in body:
                        model.variables.setdefault(directory, {}).setdefault(var, body["default"])
            for entry in data.get("locals", []):
                for key, val in entry.items():
                    if not key.startswith("__"):
                        model.locals.setdefault(directory, {})[key] = val
            for entry in data.get("provider", []):
                for (pname,), body in _labels(entry, 1):
                    key = f"{pname}.{body['alias']}" if isinstance(body.get("alias"), str) else pname
                    model.providers.setdefault(directory, {})[key] = body
            for entry in data.get("resource", []):
                for (rtype, rname), body in _labels(entry, 2):
                    m = re.search(rf'resource\s+"{re.escape(rtype)}"\s+"{re.escape(rname)}"', text)
                    model.blocks.append(Block("resource", rtype, rname, rel, line_of(text, m.start()) if m else 0,
                                              body, directory))
            for entry in data.get("module", []):
                for (mname,), body in _labels(entry, 1):
                    m = re.search(rf'module\s+"{re.escape(mname)}"', text)
                    model.blocks.append(Block("module", str(body.get("source", "")), mname, rel,
                                              line_of(text, m.start()) if m else 0, body, directory))
        elif name.endswith(".tfvars") or name.endswith(".auto.tfvars"):
            data = parsed(repo, rel, "hcl")
            if isinstance(data, ParseError):
                model.errors.append(data)
                continue
            # terraform.tfvars and *.auto.tfvars load automatically; other .tfvars files are
            # environment files (prod.tfvars): later names win, as with -var-file in order.
            tfvars.setdefault(directory, {}).update({k: v for k, v in data.items() if not k.startswith("__")})
    for directory, values in tfvars.items():
        model.variables.setdefault(directory, {}).update(values)
    return model
