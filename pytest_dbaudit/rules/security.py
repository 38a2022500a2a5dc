"""Security & access-control checks."""

from __future__ import annotations

from ..outcomes import Finding
from ..registry import check
from ..sources.credentials import credentials_of


@check("SE-11", "static")
def committed_credentials(repo, ctx):
    """Literal database credentials in committed files (values from variables are fine)."""
    creds = [c for c in credentials_of(repo) if c.kind != "auth-setting" and not c.template]
    ctx.note(f"scanned {len(repo.files)} file(s) for DSNs with inline passwords and password assignments")
    findings = []
    for c in creds:
        what = "DSN with an inline password" if c.kind == "dsn" else "password assigned a literal value"
        local = c.kind == "dsn" and c.local
        findings.append(Finding(
            f"{what}: {c.shown}" + (" (local development host)" if local else ""),
            location=c.location, observed="literal credential in a committed file",
            expected="a reference to a secret (environment variable, secret manager, Kubernetes Secret)",
            severity="Low" if local else None,
        ))
    return findings


@check("SE-07", "static")
def default_passwords(repo, ctx):
    """Well-known default or guessable passwords, empty-password and trust settings."""
    findings = []
    for c in credentials_of(repo):
        if not c.weak or c.template:
            continue
        if c.kind == "auth-setting":
            msg = f"{c.shown}: the server accepts connections without a password"
        else:
            msg = f"default or guessable password: {c.shown}"
        findings.append(Finding(msg, location=c.location, observed="default/empty password",
                                expected="a generated password from a secret store"))
    ctx.note("checked literal passwords against well-known defaults, and for trust / empty-password settings")
    return findings
