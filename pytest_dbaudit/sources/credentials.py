"""Database credentials written into committed files.

DSNs are split at the *last* '@' (passwords contain '@'); values that come from a variable,
template or secret reference are not literals and are not reported. Every literal found is
registered for redaction, so it is masked in every output, not only in this check's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..redact import MASK, register_secret
from .urls import DbUrl, database_urls, is_local_host, is_template, skipped
from .walk import Repository, line_of

# KEY=value, KEY: value, KEY = "value", 'KEY': 'value', "KEY": "value", - KEY=value
_KV = re.compile(
    r"""(?P<key>['"]?(?:[A-Za-z_][\w.\-]*)?(?:password|passwd|pwd)['"]?)[ \t]*(?P<op>=|:)[ \t]*(?P<val>"[^"\n]*"|'[^'\n]*'|[^\s#,;}\]]+)""",
    re.IGNORECASE,
)
_DB_KEY = re.compile(r"(?i)postgres|^pg|mysql|mariadb|mongo|redis|db|database|datasource|sql|master|admin|root|^password$|^passwd$|^pwd$")
_NOT_LITERAL = re.compile(
    r"^(?:\$|%\(|\{\{|<|#\{|@\w|!(?:Ref|Sub|GetAtt)|(?:os\.|process\.env|env\(|getenv|ENV\[|var\.|local\.|data\.|"
    r"module\.|random_password\.|aws_secretsmanager|secretKeyRef|vault:|settings\.|config\.|self\.))"
)
WEAK_PASSWORDS = frozenset({
    "postgres", "root", "password", "admin", "changeme", "change_me", "change-me", "secret", "123456", "12345678",
    "mysql", "mariadb", "test", "example", "pass", "default", "qwerty", "letmein", "password1", "admin123", "toor",
    "pass123", "password123", "guest", "dbpass", "dbpassword",
})


@dataclass(frozen=True)
class Credential:
    file: str
    line: int
    kind: str  # "dsn" | "assignment" | "auth-setting"
    shown: str  # redacted text, safe to print
    user: str = ""
    host: str = ""
    weak: bool = False  # a well-known default / guessable password, or empty-password / trust settings
    template: bool = False  # in an example/template file: placeholders expected

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def local(self) -> bool:
        return is_local_host(self.host.split(":")[0])


def credentials_of(repo: Repository) -> list[Credential]:
    return repo.model("credentials", _scan)  # type: ignore[return-value]


def _literal(value: str) -> str | None:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        v = v[1:-1]
    if not v or _NOT_LITERAL.match(v) or "${" in v or "{{" in v or v in (MASK, "*****", "...", "null", "None", "nil"):
        return None
    if set(v) <= {"*", "x", "X", "."}:
        return None
    return v


def _is_weak(pw: str, user: str = "") -> bool:
    p = pw.lower()
    return p in WEAK_PASSWORDS or bool(user and p == user.lower())


def _remember(pw: str, user: str = "") -> None:
    # Well-known defaults are no secret, and masking every "postgres" or "root" in the output
    # would make reports unreadable; everything else is masked wherever it appears.
    if not _is_weak(pw, user) and len(pw) >= 4:
        register_secret(pw)


def _scan(repo: Repository) -> list[Credential]:
    found: list[Credential] = []
    urls: dict[str, list[DbUrl]] = {}
    for u in database_urls(repo):
        urls.setdefault(u.file, []).append(u)
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if skipped(name):
            continue
        text = repo.text(rel)
        if not text or (rel not in urls and not re.search(r"(?i)passw|pwd|auth_method|allow_empty", text)):
            continue
        found.extend(_scan_text(rel, text, is_template(name), urls.get(rel, [])))
    found.extend(_kubernetes_env(repo, {(c.file, c.shown) for c in found}))
    return found


def _kubernetes_env(repo: Repository, seen: set[tuple[str, str]]) -> list[Credential]:
    """``env: - name: DB_PASSWORD / value: literal`` (a Secret reference is fine)."""
    from .kubernetes import kubernetes_of

    out = []
    for w in kubernetes_of(repo).workloads:
        for c in w.containers:
            for key, value in c.env.items():
                if not re.search(r"(?i)passw|pwd", key) or not _DB_KEY.search(key):
                    continue
                pw = _literal(value)
                if pw is None or (w.file, f"{key}={MASK}") in seen:
                    continue
                _remember(pw)
                out.append(Credential(w.file, w.line, "assignment", f"{key}={MASK}", "", "", _is_weak(pw), False))
    return out


def _scan_text(rel: str, text: str, template: bool, urls: list[DbUrl]) -> list[Credential]:
    out: list[Credential] = []
    seen_spans: list[tuple[int, int]] = []
    for u in urls:
        pw = _literal(u.password) if u.password is not None and u.user else None
        if pw is None:
            continue
        _remember(pw, u.user)
        seen_spans.append((u.start, u.end))
        shown = f"{u.scheme}://{u.user}:{MASK}@{u.hostport}"
        out.append(Credential(rel, u.line, "dsn", shown, u.user, u.hostport, _is_weak(pw, u.user), template))
    for m in _KV.finditer(text):
        if any(a <= m.start() < b for a, b in seen_spans):
            continue
        key = m["key"].strip("'\"")
        if not _DB_KEY.search(key):
            continue
        val = m["val"]
        # In code, an unquoted right-hand side is an expression (a variable), not a literal.
        if rel.endswith((".py", ".js", ".ts", ".rb", ".go", ".java", ".kt", ".tf", ".hcl")) and val[:1] not in "'\"":
            continue
        pw = _literal(val)
        if pw is None:
            continue
        _remember(pw)
        out.append(Credential(rel, line_of(text, m.start()), "assignment", f"{key}{m['op']}{MASK}", "", "",
                              _is_weak(pw), template))
    for m in re.finditer(
        r"(?im)^\s*-?\s*['\"]?(POSTGRES_HOST_AUTH_METHOD|MYSQL_ALLOW_EMPTY_PASSWORD|MARIADB_ALLOW_EMPTY_ROOT_PASSWORD|"
        r"ALLOW_EMPTY_PASSWORD)['\"]?\s*[:=]\s*['\"]?(trust|yes|true|1)\b", text,
    ):
        out.append(Credential(rel, line_of(text, m.start()), "auth-setting", f"{m[1]}={m[2]}", weak=True, template=template))
    return out
