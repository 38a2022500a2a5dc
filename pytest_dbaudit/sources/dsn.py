"""Client-side connection settings: every database URL and sslmode/ssl option in committed files."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .compose import compose_of
from .envfile import env_databases
from .urls import DOC_SUFFIXES, DbUrl, database_urls, is_local_host, is_template, skipped
from .walk import Repository, line_of

# sslmode="disable", 'sslmode': 'require', ssl=False, useSSL=false, ssl_mode: DISABLED, rejectUnauthorized: false
_OPTION = re.compile(
    r"""(?P<key>\bsslmode|\bssl_mode|\buseSSL|\brequireSSL|\brejectUnauthorized)['"]?\s*[:=]\s*['"]?(?P<val>[\w-]+)""",
    re.IGNORECASE,
)
# libpq's ladder; MySQL's ssl-mode maps onto it
RANK = {"disable": 0, "allow": 1, "prefer": 2, "require": 3, "verify-ca": 4, "verify-full": 5,
        "disabled": 0, "preferred": 2, "required": 3, "verify_ca": 4, "verify_identity": 5}


@dataclass(frozen=True)
class ClientSetting:
    location: str
    shown: str  # without credentials
    host: str
    mode: str  # normalised libpq sslmode, "" when the URL sets none
    local: bool


def client_settings(repo: Repository) -> list[ClientSetting]:
    return repo.model("client-tls", _scan)  # type: ignore[return-value]


def _mode(key: str, val: str) -> str:
    k, v = key.lower().replace("-", "").replace("_", ""), val.lower()
    if k in ("usessl", "requiressl", "ssl"):
        return "disable" if v in ("false", "0", "no") else "require"
    if k == "rejectunauthorized":
        return "require" if v in ("false", "0") else "verify-full"
    return {"disabled": "disable", "preferred": "prefer", "required": "require", "verify_ca": "verify-ca",
            "verify_identity": "verify-full"}.get(v, v)


def _scan(repo: Repository) -> list[ClientSetting]:
    compose_hosts = {s.name for s in compose_of(repo).services}
    urls: dict[str, list[DbUrl]] = {}
    for u in database_urls(repo):
        urls.setdefault(u.file, []).append(u)
    out: list[ClientSetting] = []
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if skipped(name) or is_template(name):
            continue
        text = repo.text(rel)
        if not text or not re.search(r"://|ssl", text, re.IGNORECASE):
            continue
        prose = name.endswith(DOC_SUFFIXES)
        # Terraform's ssl_mode / require_ssl are the server's side (SE-06 reads them from the inventory).
        server_side = name.endswith((".tf", ".tfvars", ".hcl"))
        url_spans = []
        for u in urls.get(rel, []):
            if u.placeholder_host:
                continue
            url_spans.append((u.start, u.end))
            if prose:
                continue
            q = re.search(r"[?&;](sslmode|ssl-mode|ssl_mode|ssl|useSSL|requireSSL)=([\w-]+)", u.query, re.IGNORECASE)
            mode = _mode(q.group(1), q.group(2)) if q else ""
            local = is_local_host(u.host) or u.host in compose_hosts
            out.append(ClientSetting(u.location, f"{u.scheme}://{u.hostport}", u.host, mode, local))
        for m in () if prose or server_side else _OPTION.finditer(text):
            if any(a <= m.start() < b for a, b in url_spans):
                continue
            out.append(ClientSetting(f"{rel}:{line_of(text, m.start())}", f"{m['key']}={m['val']}", "",
                                     _mode(m["key"], m["val"]), False))
    for e in env_databases(repo):  # DB_HOST=... with DB_SSLMODE / PGSSLMODE beside it, or nothing (prefer)
        out.append(ClientSetting(e.location, f"{e.engine} host {e.host}" + (f":{e.port}" if e.port else ""), e.host,
                                 _mode("sslmode", e.sslmode) if e.sslmode else "",
                                 is_local_host(e.host) or e.host in compose_hosts))
    return out
