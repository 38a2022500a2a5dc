"""Facts the PostgreSQL security probes share: settings, per-role/database overrides, pg_hba.conf
rules, and the offline test of stored password verifiers against guessable passwords.

Each reader runs its query once per target (``db.memo``). Memo keys are prefixed ``pg_sec_`` so
they cannot collide with other modules' facts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import unicodedata
from typing import Any

from ...outcomes import Undecided
from . import facts

# Roles the managed platforms create and own; the customer cannot change them.
PLATFORM_ROLES = frozenset({"rdsadmin", "rds_superuser", "rdsrepladmin", "rds_replication", "cloudsqladmin",
                            "cloudsqlsuperuser", "cloudsqlreplica", "azuresu", "azure_superuser", "azure_pg_admin",
                            "replication"})

# System schemas, excluded wherever objects are listed.
SYSTEM_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' " \
                 "AND n.nspname NOT LIKE 'pg\\_temp%'"


def settings(db: Any) -> dict[str, str]:
    """name -> setting of every parameter pg_settings shows this role (facts.settings' one read). Without
    pg_read_all_settings the superuser-only ones (shared_preload_libraries, ssl_ciphers ...) are simply
    absent, so a probe reading those declares the need rather than trusting an absence."""
    return db.memo("pg_sec_settings", lambda d: {name: row["setting"] for name, row in facts.settings(d).items()})


def overrides(db: Any) -> list[dict[str, Any]]:
    """ALTER ROLE/DATABASE ... SET values that apply in this database (facts.db_role_settings):
    ``{"role", "database", "name", "value", ...}``."""
    return facts.db_role_settings(db)


def scope(o: dict[str, str]) -> str:
    if o["role"] and o["database"]:
        return f"ALTER ROLE {o['role']} IN DATABASE {o['database']} SET"
    if o["role"]:
        return f"ALTER ROLE {o['role']} SET"
    return f"ALTER DATABASE {o['database']} SET"


def preload_libraries(db: Any) -> set[str] | None:
    """Libraries preloaded at server or session start; None when the role cannot see them."""
    s = settings(db)
    if "shared_preload_libraries" not in s:
        return None
    libs: set[str] = set()
    for name in ("shared_preload_libraries", "session_preload_libraries", "local_preload_libraries"):
        for lib in (s.get(name) or "").split(","):
            lib = lib.strip().strip('"').rsplit("/", 1)[-1].removesuffix(".so").lower()
            if lib:
                libs.add(lib)
    return libs


def hba_rules(db: Any) -> list[dict[str, Any]]:
    """The parsed pg_hba.conf, in file order (needs pg_hba_file_rules)."""
    return db.memo("pg_sec_hba", lambda d: d.rows(
        "SELECT line_number, type, database, user_name, address, netmask, auth_method, error "
        "FROM pg_catalog.pg_hba_file_rules ORDER BY line_number"))


def hba_where(r: dict[str, Any]) -> str:
    return f"pg_hba.conf line {r['line_number']}"


def hba_text(r: dict[str, Any]) -> str:
    addr = r["address"] or ""
    if r["netmask"]:
        net = network(r)
        addr = str(net) if net is not None else f"{addr}/{r['netmask']}"
    parts = [r["type"], ",".join(r["database"] or []), ",".join(r["user_name"] or []), addr, r["auth_method"] or ""]
    return " ".join(p for p in parts if p)


def network(r: dict[str, Any]) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The address range of a host line; None for local lines, host names and keywords."""
    addr = r.get("address")
    if not addr or r.get("type") == "local":
        return None
    try:
        if r.get("netmask"):
            mask = ipaddress.ip_address(r["netmask"])
            bits = bin(int(mask)).count("1")
            return ipaddress.ip_network(f"{addr}/{bits}", strict=False)
        return ipaddress.ip_network(addr, strict=False)
    except ValueError:
        return None


def is_loopback(r: dict[str, Any]) -> bool:
    """A host line reachable only from this machine (loopback range or the samehost keyword)."""
    if r.get("address") in ("samehost", "localhost"):
        return True
    net = network(r)
    return net is not None and net.network_address.is_loopback and net.broadcast_address.is_loopback


def user_matches(entries: list[str] | None, role: str, member_of: set[str]) -> bool:
    """Whether a pg_hba user column admits ``role`` ('all', the name, '+group' membership)."""
    for e in entries or []:
        if e == "all" or e == role or (e.startswith("+") and e[1:] in member_of):
            return True
    return False


def memberships(db: Any) -> dict[str, set[str]]:
    """role -> every role it is a member of, directly or indirectly (pg_auth_members is public)."""
    def read(d: Any) -> dict[str, set[str]]:
        rows = d.rows("""
            WITH RECURSIVE m(member, roleid) AS (
              SELECT member, roleid FROM pg_catalog.pg_auth_members
              UNION SELECT m.member, a.roleid FROM m JOIN pg_catalog.pg_auth_members a ON a.member = m.roleid)
            SELECT u.rolname AS member, g.rolname AS role FROM m
            JOIN pg_catalog.pg_roles u ON u.oid = m.member JOIN pg_catalog.pg_roles g ON g.oid = m.roleid""")
        out: dict[str, set[str]] = {}
        for r in rows:
            out.setdefault(r["member"], set()).add(r["role"])
        return out

    return db.memo("pg_sec_memberships", read)


def undecided(p: Any, need: str, why: str) -> Undecided:
    """Undecided with the GRANT that would decide it (for probes that need a capability only on one branch)."""
    from ..preflight import grant_for

    exc = Undecided(why)
    exc.grant = grant_for(p.caps, need)
    return exc


# -- offline password test -----------------------------------------------------------------------

# Defaults and the most common passwords of breach lists; the role's own name is tried too.
WELL_KNOWN_PASSWORDS = (
    "postgres", "password", "changeme", "123456", "admin", "root", "secret", "test", "letmein", "qwerty",
    "welcome", "12345678", "password1", "passw0rd", "P@ssw0rd", "admin123", "default", "guest", "demo", "pass",
    "1234", "12345", "123456789", "postgres123", "trustno1", "abc123", "changeit", "toor", "master", "example",
)


def _saslprep(password: str) -> bytes:
    # PostgreSQL SASLpreps before hashing and falls back to the raw bytes when that fails; NFKC is
    # the normalisation step, the rest only rejects characters the candidates here never contain.
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def verifier_kind(stored: str | None) -> str:
    if not stored:
        return "none"
    if stored.startswith("SCRAM-SHA-256$"):
        return "scram-sha-256"
    if stored.startswith("md5") and len(stored) == 35:
        return "md5"
    return "other"


def scram_params(stored: str) -> tuple[int, bytes, bytes] | None:
    """(iterations, salt, StoredKey) from ``SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>``."""
    try:
        _, rest = stored.split("$", 1)
        params, keys = rest.split("$", 1)
        iterations, salt = params.split(":", 1)
        stored_key = keys.split(":", 1)[0]
        return int(iterations), base64.b64decode(salt), base64.b64decode(stored_key)
    except (ValueError, TypeError):
        return None


def verifier_matches(stored: str, role: str, password: str) -> bool:
    """Whether ``password`` produces the stored verifier of ``role`` (computed locally; no login)."""
    kind = verifier_kind(stored)
    if kind == "md5":
        digest = "md5" + hashlib.md5(password.encode("utf-8") + role.encode("utf-8")).hexdigest()
        return hmac.compare_digest(digest, stored)
    if kind == "scram-sha-256":
        params = scram_params(stored)
        if params is None:
            return False
        iterations, salt, stored_key = params
        salted = hashlib.pbkdf2_hmac("sha256", _saslprep(password), salt, iterations)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        return hmac.compare_digest(hashlib.sha256(client_key).digest(), stored_key)
    return False


def candidates(role: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    return list(dict.fromkeys([role, *WELL_KNOWN_PASSWORDS, *extra]))
