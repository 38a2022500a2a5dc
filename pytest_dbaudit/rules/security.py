"""Security & access-control checks."""

from __future__ import annotations

import re

from ..outcomes import Finding, Undecided, verdict
from ..registry import check
from ..sources.credentials import credentials_of
from ._iac import cloud_stores


@check("SE-11", "static")
def committed_credentials(repo, ctx):
    """Literal database credentials in committed files (values from variables are fine)."""
    # Placeholders in example/template files are expected; a real-looking password there is
    # still a leak, but at most Low (it is rarely the live one).
    creds = [c for c in credentials_of(repo) if c.kind != "auth-setting" and not (c.template and c.weak)]
    ctx.note(f"scanned {len(repo.files)} file(s) for DSNs with inline passwords and password assignments")
    findings = []
    for c in creds:
        what = "DSN with an inline password" if c.kind == "dsn" else "password assigned a literal value"
        local = c.kind == "dsn" and c.local
        note = " (example/template file)" if c.template else " (local development host)" if local else ""
        findings.append(Finding(
            f"{what}: {c.shown}{note}",
            location=c.location, observed="literal credential in a committed file",
            expected="a reference to a secret (environment variable, secret manager, Kubernetes Secret)",
            severity="Low" if local or c.template else None,
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


@check("SE-09", "static")
def private_network_only(repo, ctx):
    """RDS publicly_accessible; database ports published on every host interface in compose."""
    from ..sources.compose import public_ports
    from ..sources.inventory import inventory_of

    findings, undecided, judged = [], [], 0
    for s in cloud_stores(repo, ctx, "aws", "gcp", "azure"):
        if "publicly_accessible" in s.unknown:
            undecided.append(f"{s.name}.publicly_accessible = {s.unknown['publicly_accessible']}")
            continue
        judged += 1
        cloud = s.settings["cloud"]
        ctx.note(f"{s.name} ({s.declared[0]}): " + ", ".join(
            f"{k} = {s.settings[k]}" for k in ("publicly_accessible", "ipv4_enabled", "authorized_networks",
                                                 "private_network") if k in s.settings))
        if cloud == "aws" and s.settings.get("publicly_accessible") is True:
            findings.append(Finding(f"{s.name}: publicly_accessible = true", location=s.declared[0], observed=True,
                                    expected=False))
        elif cloud == "gcp" and s.settings.get("ipv4_enabled") is not False:
            open_nets = [n for n in s.settings.get("authorized_networks") or [] if n.endswith("/0")]
            if open_nets:
                findings.append(Finding(f"{s.name}: public IP open to {', '.join(open_nets)}", location=s.declared[0],
                                        observed=open_nets, expected="private IP, or named networks only"))
        elif cloud == "azure" and not s.settings.get("private_network") and \
                s.settings.get("publicly_accessible") is not False:
            findings.append(Finding(f"{s.name}: public network access is on (no delegated subnet)",
                                    location=s.declared[0], observed=True, expected="delegated_subnet_id or "
                                    "public_network_access_enabled = false"))
    for s in inventory_of(repo).stores:
        if s.source != "compose" or s.kind not in ("relational", "document", "cache", "key-value", "analytical"):
            continue
        for port in public_ports(s.settings.get("published_ports") or []):
            findings.append(Finding(
                f"{s.name}: port {port} is published on every interface of the host", location=s.declared[0],
                observed=port, expected="no published port, or 127.0.0.1:PORT:PORT", severity="Low"))
    return verdict(findings, undecided, judged,
                   "the network exposure of the production databases is not declared in Terraform")


@check("SE-05", "static")
def encrypted_at_rest(repo, ctx):
    """RDS/Aurora storage_encrypted, ElastiCache at_rest_encryption_enabled (Cloud SQL and Azure encrypt at
    rest by default)."""

    findings, undecided, judged = [], [], 0
    for s in cloud_stores(repo, ctx, "aws", "gcp", "azure", kinds=("relational", "cache")):
        if s.settings["cloud"] != "aws":
            judged += 1
            ctx.note(f"{s.name}: encrypted at rest by the provider")
            continue
        if "storage_encrypted" in s.unknown:
            undecided.append(f"{s.name}.storage_encrypted = {s.unknown['storage_encrypted']}")
            continue
        judged += 1
        attr = "at_rest_encryption_enabled" if s.kind == "cache" else "storage_encrypted"
        if s.settings.get("storage_encrypted") is True:
            ctx.note(f"{s.name} ({s.declared[0]}): {attr} = true")
        else:
            findings.append(Finding(f"{s.name}: {attr} is not true", location=s.declared[0],
                                    observed=s.settings.get("storage_encrypted"), expected=True))
    return verdict(findings, undecided, judged,
                   "no managed database is declared in Terraform; encryption of other storage is not readable")


def _server_tls(store) -> tuple[bool | None, str, str]:
    """(enforced?, what was seen, what is expected) for a managed server; None when it cannot be told."""
    flags = store.settings.get("flags") or {}
    cloud = store.settings["cloud"]
    if store.kind == "cache":
        on = store.settings.get("transit_encryption") is True
        return on, f"transit_encryption_enabled = {store.settings.get('transit_encryption')}", "true"
    if cloud == "gcp":
        mode = store.settings.get("ssl_mode")
        return mode in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"), f"ssl_mode = {mode}", \
            "ENCRYPTED_ONLY or TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
    if cloud == "azure":
        return True, "Azure flexible servers require TLS unless require_secure_transport is turned off", ""
    if store.engine == "postgresql":
        if "rds.force_ssl" in flags:
            return str(flags["rds.force_ssl"]) == "1", f"rds.force_ssl = {flags['rds.force_ssl']}", "1"
        if "flags" in store.unknown:
            return None, store.unknown["flags"], "rds.force_ssl = 1"
        major = str(store.version or "").split(".")[0]
        if not major.isdigit():
            return None, "engine_version not known (rds.force_ssl defaults to 1 from PostgreSQL 15)", "rds.force_ssl = 1"
        return int(major) >= 15, f"rds.force_ssl not set (default {'1' if int(major) >= 15 else '0'} on " \
            f"PostgreSQL {major})", "rds.force_ssl = 1"
    value = flags.get("require_secure_transport")
    if value is None and "flags" in store.unknown:
        return None, store.unknown["flags"], "require_secure_transport = ON"
    return str(value).upper() in ("ON", "1", "TRUE"), f"require_secure_transport = {value or 'OFF (default)'}", \
        "require_secure_transport = ON"


@check("SE-06", "static")
def clients_verify_tls(repo, ctx):
    """Clients: sslmode (and MySQL/JDBC/Node equivalents) in every committed connection setting. Servers:
    RDS rds.force_ssl / require_secure_transport, Cloud SQL ssl_mode, ElastiCache transit encryption."""
    from ..sources.dsn import RANK, client_settings

    wanted = str(ctx.threshold("min_client_sslmode"))
    need = RANK.get(wanted, RANK["verify-full"])
    findings, undecided, seen = [], [], 0
    for c in client_settings(repo):
        if c.local:
            continue  # loopback or a compose service on the same host network
        seen += 1
        got = RANK.get(c.mode, RANK["prefer"]) if c.mode else RANK["prefer"]  # libpq's default is prefer
        if got < need:
            findings.append(Finding(
                f"{c.shown}: sslmode {c.mode or 'not set (prefer)'}", location=c.location,
                observed=c.mode or "prefer", expected=f"{wanted} or stronger",
                severity="High" if got <= RANK["prefer"] else "Medium"))
        else:
            ctx.note(f"{c.location}: {c.shown} ({c.mode})")
    for s in cloud_stores(repo, ctx, "aws", "gcp", "azure", kinds=("relational", "cache")):
        if s.settings.get("replica_of"):
            continue  # a replica copies its primary's engine and, usually, its settings
        enforced, seen_value, expected = _server_tls(s)
        if enforced is None:
            undecided.append(f"{s.name}: {seen_value}")
            continue
        seen += 1
        if enforced:
            ctx.note(f"{s.name} ({s.declared[0]}): server requires TLS ({seen_value})")
        else:
            findings.append(Finding(f"{s.name}: the server accepts unencrypted connections ({seen_value})",
                                    location=s.declared[0], observed=seen_value, expected=expected))
    return verdict(findings, undecided, seen, "no connection setting to a non-local database host and no managed "
                   "server is committed in the repository", ctx)


_SUPERUSERS = {"postgres", "root", "sa", "rdsadmin", "azure_superuser", "cloudsqlsuperuser", "system"}


@check("SE-01", "static")
def app_not_superuser(repo, ctx):
    """Application connections (DSNs, Django, Rails) against the superuser names of their servers."""
    from ..sources.appconfig import app_connections
    from ..sources.compose import compose_of
    from ..sources.stack import image_engine

    # A compose database's superuser is whatever POSTGRES_USER / root says (cross-file).
    superusers = {name: set(_SUPERUSERS) for name in ("*",)}
    for svc in compose_of(repo).services:
        if svc.image and image_engine(svc.image):
            names = set(_SUPERUSERS)
            for key in ("POSTGRES_USER", "MYSQL_USER_ROOT"):
                if svc.environment.get(key):
                    names.add(svc.environment[key])
            superusers[svc.name] = names
    findings, seen = [], 0
    for c in app_connections(repo):
        if not c.user or "$" in c.user or "{" in c.user:
            continue
        seen += 1
        names = superusers.get(c.host, superusers["*"])
        if c.user in names:
            local = c.host in superusers and c.host != "*"
            findings.append(Finding(
                f"{c.via} connection to {c.host} as {c.user}, a superuser" + (" (compose service)" if local else ""),
                location=c.location, observed=c.user, expected="an application role with only the grants it needs",
                severity="Low" if local else None))
        else:
            ctx.note(f"{c.location}: connects to {c.host} as {c.user}")
    if findings:
        return findings
    if not seen:
        raise Undecided("no application connection in the repository names its database user")
    return []


_DB_PORTS = {5432, 3306, 1433, 1521, 27017, 6379, 26257, 9042}
_ADMIN_UIS = ("adminer", "pgadmin", "phpmyadmin", "mongo-express", "redis-commander", "cloudbeaver")


def _port_range(rule: dict) -> set[int]:
    try:
        lo, hi = int(rule.get("from_port", 0)), int(rule.get("to_port", 65535))
    except (TypeError, ValueError):
        return set()
    return {p for p in _DB_PORTS if lo <= p <= hi} if hi - lo < 65535 else set(_DB_PORTS)


@check("SE-10", "static")
def admin_access_restricted(repo, ctx):
    """Database ports open to the internet in security groups / firewalls; admin UIs on every interface."""
    from ..sources.compose import compose_of
    from ..sources.terraform import Unresolved, terraform_of

    tf = terraform_of(repo)
    findings, judged = [], 0
    for b in tf.resources("aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"):
        rules = b.attrs.get("ingress") or ([b.attrs] if b.type != "aws_security_group" else [])
        for raw in rules if isinstance(rules, list) else [rules]:
            rule = tf.resolve(raw, b.directory) if isinstance(raw, dict) else {}
            if b.type == "aws_security_group_rule" and rule.get("type") != "ingress":
                continue
            ports = _port_range(rule)
            if not ports:
                continue
            judged += 1
            cidrs = rule.get("cidr_blocks") or rule.get("cidr_ipv4") or []
            cidrs = cidrs if isinstance(cidrs, list) else [cidrs]
            if any(isinstance(c, str) and c.endswith("/0") for c in cidrs):
                findings.append(Finding(f"{b.address}: port(s) {sorted(ports)} open to {', '.join(map(str, cidrs))}",
                                        location=b.location, observed=cidrs, expected="listed source ranges only"))
            elif any(isinstance(c, Unresolved) for c in cidrs):
                ctx.note(f"{b.address}: source ranges known only at plan time")
            else:
                ctx.note(f"{b.address} ({b.location}): port(s) {sorted(ports)} from {', '.join(map(str, cidrs))}")
    for b in tf.resources("google_compute_firewall"):
        allows = b.attrs.get("allow") or []
        ports = {int(p) for a in (allows if isinstance(allows, list) else [allows]) if isinstance(a, dict)
                 for p in (a.get("ports") or []) if str(p).isdigit()} & _DB_PORTS
        if not ports:
            continue
        judged += 1
        ranges = tf.value(b, "source_ranges", [])
        if isinstance(ranges, list) and any(str(r).endswith("/0") for r in ranges):
            findings.append(Finding(f"{b.address}: port(s) {sorted(ports)} open to {', '.join(map(str, ranges))}",
                                    location=b.location, observed=ranges, expected="listed source ranges only"))
        else:
            ctx.note(f"{b.address} ({b.location}): port(s) {sorted(ports)} from {ranges}")
    for svc in compose_of(repo).services:
        if svc.image and any(ui in svc.image.lower() for ui in _ADMIN_UIS):
            judged += 1
            exposed = svc.public_ports()
            if not exposed:
                ctx.note(f"{svc.location}: admin UI {svc.image} published on loopback only, or not at all")
            if exposed:
                findings.append(Finding(f"{svc.name}: database admin UI {svc.image} published on every host interface "
                                        f"({', '.join(exposed)})", location=svc.location, observed=exposed,
                                        expected="127.0.0.1:PORT:PORT, or no admin UI outside development",
                                        severity="Medium"))
    if findings:
        return findings
    if not judged:
        raise Undecided("no security group, firewall rule or admin UI for database ports is declared in the files read")
    return []


_WEAK_HASH = re.compile(r"password_encryption\s*[=:]\s*['\"]?(md5|on)\b|default[-_]authentication[-_]plugin\s*[=:]"
                        r"\s*['\"]?mysql_native_password", re.IGNORECASE)


@check("SE-04", "static")
def password_policy(repo, ctx):
    """Managed servers: IAM / Entra ID authentication, a Secrets Manager-rotated master password, or Cloud SQL's
    password validation policy. Self-hosted: no md5 / mysql_native_password hashing in committed settings."""
    from ..sources.server_settings import server_settings

    findings, undecided, judged = [], [], 0
    for s in cloud_stores(repo, ctx, "aws", "gcp", "azure"):
        if s.settings.get("replica_of"):
            continue  # logins and passwords come from the primary
        where, cloud = s.declared[0], s.settings["cloud"]
        if cloud == "aws" and ("iam_auth" in s.unknown or "managed_password" in s.unknown) and \
                not (s.settings.get("iam_auth") or s.settings.get("managed_password")):
            undecided += [f"{s.name}.{k} = {s.unknown[k]}" for k in ("iam_auth", "managed_password") if k in s.unknown]
            continue
        judged += 1
        ways = [w for w, on in (("IAM authentication", s.settings.get("iam_auth") is True),
                                ("master password managed and rotated by Secrets Manager",
                                 s.settings.get("managed_password") is True),
                                ("password validation policy", s.settings.get("password_policy") is True)) if on]
        if ways:
            ctx.note(f"{s.name} ({where}): {', '.join(ways)}")
            continue
        expected = {"aws": "iam_database_authentication_enabled = true or manage_master_user_password = true",
                    "gcp": "cloudsql.iam_authentication = on or password_validation_policy",
                    "azure": "authentication { active_directory_auth_enabled = true }"}[cloud]
        findings.append(Finding(f"{s.name}: static passwords with no server-side rotation or token authentication",
                                location=where, observed="password authentication only", expected=expected,
                                severity="Medium"))
    for where, text in server_settings(repo):
        m = _WEAK_HASH.search(text)
        if m:
            judged += 1
            findings.append(Finding(f"weak password hashing: {m.group(0)}", location=where, observed=m.group(0),
                                    expected="password_encryption = scram-sha-256 / caching_sha2_password"))
    return verdict(findings, undecided, judged, "no managed database and no password-hashing setting is committed; "
                   "a self-hosted server's password policy is not readable from the repository", ctx)
