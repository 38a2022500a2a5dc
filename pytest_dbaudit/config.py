"""The project's audit configuration: ``dbaudit.yaml`` or ``[tool.dbaudit]`` in ``pyproject.toml``.

Every key is validated; a wrong key or value stops the run with one message naming it, because
a typo in a waiver or threshold would otherwise silently change the verdict.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import ENGINES, SEVERITIES
from .errors import DbauditUsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TOP_KEYS = {
    "targets", "catalog", "thresholds", "waivers", "attestations", "attestation_max_age_days",
    "throwaway", "drill_engines", "fail_under", "fail_on", "live", "alembic", "data_stores", "drills", "schema",
}
DATA_STORE_KEYS = {"name", "engine", "owner", "purpose", "backup", "notes", "external"}
THROWAWAY_KEYS = {"containers", "postgresql", "mysql", "mariadb", "images"}
LIVE_KEYS = {"statement_timeout_ms", "lock_timeout_ms", "connect_timeout_s", "time_budget_s", "expensive"}
ALEMBIC_KEYS = {"env", "url_env", "timeout_s"}
DRILLS_KEYS = {"seed_rows", "progress_after_s", "timeout_s"}
SCHEMA_KEYS = {"import_models", "import_timeout_s"}
WAIVER_KEYS = {"id", "target", "reason", "expires", "owner", "ticket"}
ATTEST_KEYS = {"id", "by", "date", "statement", "evidence"}
TARGET_KEYS = {"name", "url", "url_env", "databases", "thresholds"}


@dataclass
class Waiver:
    id: str
    reason: str
    expires: dt.date
    target: str = "*"
    owner: str = ""
    ticket: str = ""

    def matches(self, item_id: str, target: str) -> bool:
        return fnmatch.fnmatchcase(item_id, self.id) and fnmatch.fnmatchcase(target, self.target)


@dataclass
class Attestation:
    id: str
    by: str
    date: dt.date
    statement: str
    evidence: str


@dataclass
class TargetSpec:
    url: str | None
    name: str = ""
    url_env: str = ""  # the URL came from this variable (or it is unset: url is None)
    databases: list[str] | str | None = None  # "all" or names: audit these databases of the server
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)  # per-target overrides


@dataclass
class AuditConfig:
    path: Path | None = None
    targets: list[TargetSpec] = field(default_factory=list)
    catalog: list[Path] = field(default_factory=list)
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    target_thresholds: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # label -> item -> name
    waivers: list[Waiver] = field(default_factory=list)
    attestations: dict[str, Attestation] = field(default_factory=dict)
    attestation_max_age_days: int = 365
    throwaway: dict[str, Any] = field(default_factory=lambda: {"containers": True, "images": {}})
    drill_engines: list[str] = field(default_factory=list)
    fail_under: dict[str, int] = field(default_factory=dict)  # "overall" or section name -> level
    fail_on: str | None = None
    live: dict[str, Any] = field(
        default_factory=lambda: {"statement_timeout_ms": 5000, "lock_timeout_ms": 1000, "connect_timeout_s": 3}
    )
    alembic: dict[str, Any] = field(default_factory=lambda: {"env": {}, "url_env": [], "timeout_s": 300})
    # seed_rows > 0: seeded-data mode; progress lines once a drill has run progress_after_s seconds;
    # timeout_s bounds one SQL-file history's round trip (Alembic: alembic.timeout_s)
    drills: dict[str, Any] = field(default_factory=lambda: {"seed_rows": 0, "progress_after_s": 5, "timeout_s": 300})
    # import_models: False (read the model code), True (import the files the reader found) or module names
    schema: dict[str, Any] = field(default_factory=lambda: {"import_models": False, "import_timeout_s": 60})
    data_stores: list[dict[str, str]] | None = None  # the documented catalog of data stores, if kept here


class _Err:
    def __init__(self, where: str):
        self.where = where

    def __call__(self, key: str, msg: str) -> DbauditUsageError:
        return DbauditUsageError(f"config error in {self.where}: '{key}' {msg}")


def find_config(explicit: str | None, repo: Path, rootdir: Path) -> tuple[Path, dict[str, Any]] | None:
    """The first of: --dbaudit-config, the audited repo's files, the pytest rootdir's files."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise DbauditUsageError(f"config error: --dbaudit-config {explicit}: no such file")
        return path, _read(path)
    for base in dict.fromkeys([repo, rootdir]):
        for name in ("dbaudit.yaml", "dbaudit.yml"):
            if (base / name).is_file():
                return base / name, _read(base / name)
        py = base / "pyproject.toml"
        if py.is_file():
            data = _read(py)
            if data is not None:
                return py, data
    return None


def _read(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DbauditUsageError(f"config error: cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DbauditUsageError(f"config error in {path}: not valid TOML: {exc}") from None
        if path.name == "pyproject.toml":
            return data.get("tool", {}).get("dbaudit")
        return data
    import yaml

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise DbauditUsageError(f"config error in {path}: not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DbauditUsageError(f"config error in {path}: top level must be a mapping")
    return data


def _date(value: Any, key: str, err: _Err) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise err(key, f"must be a date YYYY-MM-DD, got {value!r}")


def _text(entry: dict, key: str, where: str, err: _Err, required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise err(f"{where}.{key}", "must be a non-empty string")
    return value.strip()


def _check_keys(entry: Any, allowed: set[str], where: str, err: _Err) -> dict:
    if not isinstance(entry, dict):
        raise err(where, "must be a mapping")
    extra = sorted(set(entry) - allowed)
    if extra:
        raise err(f"{where}.{extra[0]}", f"is not a known key (allowed: {', '.join(sorted(allowed))})")
    return entry


def parse_level_gate(value: Any, key: str, err: _Err, sections: list[str]) -> dict[str, int]:
    """``3``, ``"3"``, ``"security=3"``, ``"overall=2,backup=3"`` or a mapping."""
    out: dict[str, int] = {}
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, (int, str)) and not isinstance(value, bool):
        pairs = []
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            name, _, lvl = part.rpartition("=")
            pairs.append((name.strip() or "overall", lvl.strip()))
    else:
        raise err(key, f"must be a level 1-5 or section=level, got {value!r}")
    for name, lvl in pairs:
        if name != "overall" and name not in sections:
            raise err(key, f"names unknown section {name!r} (sections: {', '.join(sections)})")
        try:
            level = int(lvl)
        except (TypeError, ValueError):
            raise err(key, f"level for {name} must be 1-5, got {lvl!r}") from None
        if not 1 <= level <= 5:
            raise err(key, f"level for {name} must be 1-5, got {level}")
        out[name] = level
    return out


def parse_severity(value: Any, key: str, err: _Err) -> str:
    for sev in SEVERITIES:
        if isinstance(value, str) and value.strip().lower() == sev.lower():
            return sev
    raise err(key, f"must be one of {'|'.join(SEVERITIES)}, got {value!r}")


def catalog_files(found: tuple[Path, dict[str, Any] | None] | None) -> list[Path]:
    """The user catalog files a config names, read before the catalog (and so the rest) can be validated."""
    if not found or not isinstance(found[1], dict):
        return []
    path, raw = found
    cat = raw.get("catalog") or []
    if not isinstance(cat, list) or not all(isinstance(p, str) for p in cat):
        raise _Err(str(path))("catalog", "must be a list of file paths")
    files = [path.parent / p for p in cat]
    for p in files:
        if not p.is_file():
            raise _Err(str(path))("catalog", f"file {p} does not exist")
    return files


def load_config(found: tuple[Path, dict[str, Any] | None] | None, sections: list[str]) -> AuditConfig:
    """Validate the raw config; item ids are checked by validate_ids once the full catalog is known."""
    cfg = AuditConfig()
    if not found or found[1] is None:
        return cfg
    path, raw = found
    cfg.path = path
    err = _Err(str(path))
    if not isinstance(raw, dict):
        raise err("tool.dbaudit", "must be a table")
    extra = sorted(set(raw) - TOP_KEYS)
    if extra:
        raise err(extra[0], f"is not a known key (allowed: {', '.join(sorted(TOP_KEYS))})")

    for i, t in enumerate(raw.get("targets") or []):
        where = f"targets[{i}]"
        if isinstance(t, str):
            cfg.targets.append(TargetSpec(url=t))
            continue
        t = _check_keys(t, TARGET_KEYS, where, err)
        if ("url" in t) == ("url_env" in t):
            raise err(where, "needs exactly one of url, url_env")
        dbs = t.get("databases")
        if dbs is not None and dbs != "all" and not (isinstance(dbs, list) and all(isinstance(d, str) for d in dbs)):
            raise err(f"{where}.databases", "must be 'all' or a list of database names")
        tthr = t.get("thresholds") or {}
        if not isinstance(tthr, dict) or not all(isinstance(v, dict) for v in tthr.values()):
            raise err(f"{where}.thresholds", "must map item ids to {name: value}")
        if "url_env" in t:
            env = _text(t, "url_env", where, err)
            cfg.targets.append(TargetSpec(url=os.environ.get(env) or None, name=t.get("name", env), url_env=env,
                                          databases=dbs, thresholds=tthr))
        else:
            cfg.targets.append(TargetSpec(url=_text(t, "url", where, err), name=t.get("name", ""), databases=dbs,
                                          thresholds=tthr))

    cfg.catalog = catalog_files(found)

    thr = raw.get("thresholds") or {}
    if not isinstance(thr, dict):
        raise err("thresholds", "must map item ids to {name: value}")
    cfg.thresholds = {k: dict(v) if isinstance(v, dict) else v for k, v in thr.items()}

    today = dt.date.today()
    for i, w in enumerate(raw.get("waivers") or []):
        where = f"waivers[{i}]"
        w = _check_keys(w, WAIVER_KEYS, where, err)
        if "expires" not in w:
            raise err(f"{where}.expires", "is required: a waiver without an end date never gets reviewed")
        cfg.waivers.append(Waiver(
            id=_text(w, "id", where, err), reason=_text(w, "reason", where, err),
            expires=_date(w["expires"], f"{where}.expires", err), target=_text(w, "target", where, err, False) or "*",
            owner=_text(w, "owner", where, err, False), ticket=_text(w, "ticket", where, err, False),
        ))
    for i, a in enumerate(raw.get("attestations") or []):
        where = f"attestations[{i}]"
        a = _check_keys(a, ATTEST_KEYS, where, err)
        for key in ATTEST_KEYS:
            if key not in a:
                raise err(f"{where}.{key}", "is required (who, when, what, where the evidence is)")
        att = Attestation(
            id=_text(a, "id", where, err), by=_text(a, "by", where, err), date=_date(a["date"], f"{where}.date", err),
            statement=_text(a, "statement", where, err), evidence=_text(a, "evidence", where, err),
        )
        if att.date > today:
            raise err(f"{where}.date", f"{att.date} is in the future")
        if att.id in cfg.attestations:
            raise err(f"{where}.id", f"{att.id} is attested twice")
        cfg.attestations[att.id] = att
    if "attestation_max_age_days" in raw:
        v = raw["attestation_max_age_days"]
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise err("attestation_max_age_days", f"must be a positive integer, got {v!r}")
        cfg.attestation_max_age_days = v

    if "throwaway" in raw:
        t = _check_keys(raw["throwaway"], THROWAWAY_KEYS, "throwaway", err)
        if "containers" in t and not isinstance(t["containers"], bool):
            raise err("throwaway.containers", "must be true or false")
        images = t.get("images") or {}
        if not isinstance(images, dict) or any(k not in ENGINES or not isinstance(v, str) for k, v in images.items()):
            raise err("throwaway.images", f"must map engines ({', '.join(ENGINES)}) to image names")
        for eng in ("postgresql", "mysql", "mariadb"):
            if eng in t and not isinstance(t[eng], str):
                raise err(f"throwaway.{eng}", "must be a server URL")
        cfg.throwaway = {"containers": True, **t, "images": images}

    engines = raw.get("drill_engines") or []
    if not isinstance(engines, list) or any(e not in ENGINES for e in engines):
        raise err("drill_engines", f"must be a list of {', '.join(ENGINES)}")
    cfg.drill_engines = list(engines)

    if "fail_under" in raw:
        cfg.fail_under = parse_level_gate(raw["fail_under"], "fail_under", err, sections)
    if "fail_on" in raw:
        cfg.fail_on = parse_severity(raw["fail_on"], "fail_on", err)

    if "live" in raw:
        live = _check_keys(raw["live"], LIVE_KEYS, "live", err)
        for k, v in live.items():
            if k == "expensive":
                if not isinstance(v, bool):
                    raise err("live.expensive", f"must be true or false, got {v!r}")
                continue
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
                raise err(f"live.{k}", f"must be a positive number, got {v!r}")
        cfg.live.update(live)
    if "data_stores" in raw:
        stores = raw["data_stores"]
        if not isinstance(stores, list):
            raise err("data_stores", "must be a list of {name, engine, owner, purpose, backup}")
        cfg.data_stores = []
        for i, entry in enumerate(stores):
            entry = _check_keys(entry, DATA_STORE_KEYS, f"data_stores[{i}]", err)
            _text(entry, "name", f"data_stores[{i}]", err)
            if "external" in entry and not isinstance(entry["external"], bool):
                raise err(f"data_stores[{i}].external", "must be true or false")
            cfg.data_stores.append({k: v if k == "external" else str(v) for k, v in entry.items()})
    if "alembic" in raw:
        al = _check_keys(raw["alembic"], ALEMBIC_KEYS, "alembic", err)
        env = al.get("env") or {}
        if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
            raise err("alembic.env", "must map variable names to strings")
        url_env = al.get("url_env") or []
        if isinstance(url_env, str):
            url_env = [url_env]
        if not isinstance(url_env, list) or not all(isinstance(v, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) for v in url_env):
            raise err("alembic.url_env", "must be a list of environment variable names")
        timeout = al.get("timeout_s", 300)
        if not isinstance(timeout, (int, float)) or timeout <= 0:
            raise err("alembic.timeout_s", "must be a positive number")
        cfg.alembic = {"env": env, "url_env": url_env, "timeout_s": timeout}
    if "drills" in raw:
        dr = _check_keys(raw["drills"], DRILLS_KEYS, "drills", err)
        seed = dr.get("seed_rows", 0)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= 1000:
            raise err("drills.seed_rows", f"must be a whole number of rows 0-1000 (0: no seeding), got {seed!r}")
        after = dr.get("progress_after_s", 5)
        if not isinstance(after, (int, float)) or isinstance(after, bool) or after < 0:
            raise err("drills.progress_after_s", f"must be a number of seconds >= 0, got {after!r}")
        timeout = dr.get("timeout_s", 300)
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise err("drills.timeout_s", f"must be a positive number, got {timeout!r}")
        cfg.drills = {"seed_rows": seed, "progress_after_s": after, "timeout_s": timeout}
    if "schema" in raw:
        sc = _check_keys(raw["schema"], SCHEMA_KEYS, "schema", err)
        imp = sc.get("import_models", False)
        if not (isinstance(imp, bool) or (isinstance(imp, list) and imp and all(
                isinstance(m, str) and all(p.isidentifier() for p in m.split(".")) for m in imp))):
            raise err("schema.import_models", f"must be true, false or a list of module names, got {imp!r}")
        timeout = sc.get("import_timeout_s", 60)
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise err("schema.import_timeout_s", f"must be a positive number, got {timeout!r}")
        cfg.schema = {"import_models": imp, "import_timeout_s": timeout}
    return cfg


def validate_ids(cfg: AuditConfig, item_ids: set[str], thresholds_of: dict[str, dict[str, Any]]) -> None:
    """Second pass once the full catalog (with user items) is known."""
    err = _Err(str(cfg.path))
    tables = [("thresholds", cfg.thresholds)] + [
        (f"targets[{i}].thresholds", t.thresholds) for i, t in enumerate(cfg.targets) if t.thresholds]
    for where, table in tables:
        for iid, values in table.items():
            if iid not in item_ids:
                raise err(f"{where}.{iid}", "is not a catalog item id")
            if not isinstance(values, dict):
                raise err(f"{where}.{iid}", "must map threshold names to values")
            known = thresholds_of.get(iid, {})
            for name, value in values.items():
                if name not in known:
                    allowed = ", ".join(known) or "none"
                    raise err(f"{where}.{iid}.{name}", f"is not a threshold of {iid} (it has: {allowed})")
                if isinstance(known[name], (int, float)) and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                    raise err(f"{where}.{iid}.{name}", f"must be a number, got {value!r}")
    for i, w in enumerate(cfg.waivers):
        if not any(fnmatch.fnmatchcase(iid, w.id) for iid in item_ids):
            raise err(f"waivers[{i}].id", f"{w.id!r} matches no catalog item")
    for iid in cfg.attestations:
        if iid not in item_ids:
            raise err(f"attestations.{iid}", "is not a catalog item id")
