"""MySQL and MariaDB live probes: accounts, privileges, passwords, TLS, auditing and encryption.

Account probes read mysql.user (MariaDB: mysql.global_priv, the source of truth for chained
authentication methods and locks). Weak passwords are found offline, by hashing a short list of
candidates the way mysql_native_password stores them; the probe never tries to log in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re

from ...outcomes import Finding, NotApplicable, Undecided
from ..probe import probe
from .facts import LOCAL_HOSTS, PASSWORD_PLUGINS, accounts, login_accounts, my_grants, on, plugin_active, plugins, \
    var, variables

DANGEROUS_GLOBAL = ["ALL", "ALL PRIVILEGES", "SUPER", "FILE", "PROCESS", "SHUTDOWN", "CREATE USER", "GRANT OPTION",
                    "RELOAD", "SYSTEM_USER", "SET USER", "SET_USER_ID", "CONNECTION ADMIN", "CONNECTION_ADMIN",
                    "READ_ONLY ADMIN", "BINLOG ADMIN", "REPLICATION MASTER ADMIN", "FEDERATED ADMIN", "*_ADMIN"]
# Accounts the server or the distribution creates for itself (socket-only or locked on a sound install).
BUILTIN_ADMINS = {"mysql", "debian-sys-maint", "rdsadmin", "mariadb.sys", "mysql.sys", "mysql.session",
                  "mysql.infoschema", "azure_superuser", "cloudsqladmin", "root"}
WEAK_PASSWORDS = ["password", "root", "admin", "123456", "12345678", "changeme", "mysql", "secret", "test",
                  "letmein", "qwerty", "passw0rd"]
_GRANT = re.compile(r"^GRANT (?P<privs>.+?) ON (?P<on>\S+) TO (?P<to>.+?)(?P<go> WITH GRANT OPTION)?$", re.S)
_ROLE = re.compile(r"^GRANT (?P<roles>[`'][^ ].*?) TO ", re.S)


def _native_hash(password: str) -> str:
    return "*" + hashlib.sha1(hashlib.sha1(password.encode()).digest()).hexdigest().upper()


def _is_local(host: str) -> bool:
    return host.lower() in LOCAL_HOSTS


def _any_source(host: str) -> bool:
    """'%', '' and patterns that start with a wildcard accept any client address."""
    h = host.strip()
    return h in ("", "%", "%.%", "0.0.0.0/0.0.0.0", "::/0", "0.0.0.0/0") or h.startswith("%") or h.startswith("_")


def _public_pattern(host: str) -> bool | None:
    """True for an IP pattern outside private ranges, False for a private one, None for names."""
    h = host.replace("%", "0").replace("_", "0").split("/")[0]
    try:
        ip = ipaddress.ip_address(h if h.count(".") == 3 or ":" in h else (h.rstrip(".") + ".0" * (3 - h.rstrip(".").count("."))))
    except ValueError:
        return None
    return not (ip.is_private or ip.is_loopback or ip.is_link_local)


# -- SE-01: the connected (application) account -------------------------------------------------------------

@probe("SE-01", "my.app-global-privileges", "The connected account holds no global administrative privileges",
       engines="mysql", thresholds={"app_forbidden_global_privileges": DANGEROUS_GLOBAL},
       anchors=("live:SE-01", "CIS MySQL 5.x", "DevSec mysql-db-06", "sp_Blitz CheckID 4"),
       fix="REVOKE ALL PRIVILEGES, GRANT OPTION FROM the application account, then GRANT SELECT, INSERT, UPDATE, "
           "DELETE ON <app db>.* only; migrations run as a separate account.")
def app_global_privileges(db, p):
    forbidden = {str(x).upper() for x in p.threshold("app_forbidden_global_privileges")}
    lines = list(my_grants(db))
    roles: list[str] = []
    for line in lines:
        m = _ROLE.match(line)
        if m and " ON " not in line.split(" TO ")[0]:
            roles += [r.strip() for r in m.group("roles").split(",")]
    expanded, unexpanded = [], []
    # MySQL shows a role's privileges to its grantee only through USING; MariaDB through SHOW GRANTS FOR role
    statements = [f"SHOW GRANTS FOR CURRENT_USER() USING {', '.join(roles)}"] if roles and db.flavor == "mysql" \
        else [f"SHOW GRANTS FOR {role}" for role in roles]
    for sql in statements:
        try:
            expanded += [str(next(iter(r.values()))) for r in db.rows(sql)]
        except Exception as exc:  # a role we may not inspect: its privileges stay undecided, not passed
            unexpanded.append(f"{sql} ({str(exc).splitlines()[0][:120]})")
    if unexpanded and p.caps.has("mysql_user"):  # the roles' global privileges are rows of mysql.user too
        names = {r.split("@")[0].strip("`'\"") for r in roles}
        found = [a for a in accounts(db) if a.role and a.user in names]
        expanded += [f"GRANT {', '.join(a.admin_privs)} ON *.* TO role" for a in found if a.admin_privs]
        unexpanded = [] if len(found) == len(names) else unexpanded
    p.note(f"{len(lines)} grant line(s) for CURRENT_USER()" + (f", roles {', '.join(roles)}" if roles else ""))
    out = []
    for line in lines + expanded:
        m = _GRANT.match(line.strip())
        if not m:
            continue
        privs = [x.strip().upper() for x in m.group("privs").split(",")]
        target = m.group("on")
        bad = []
        if target == "*.*":
            bad = [x for x in privs if x in forbidden or ("*_ADMIN" in forbidden and x.endswith("_ADMIN"))]
        if m.group("privs").upper().startswith("PROXY"):
            bad.append(f"PROXY ON {target}")
        if m.group("go"):
            bad.append("GRANT OPTION" + ("" if target == "*.*" else f" on {target}"))
        if bad:
            out.append(Finding(f"the audited account holds {', '.join(dict.fromkeys(bad))} ({'global' if target == '*.*' else target})",
                               location=target, observed=", ".join(dict.fromkeys(bad)), expected="DML on its own schema",
                               severity="Critical" if target == "*.*" and set(bad) & {"ALL", "ALL PRIVILEGES", "SUPER"} else None))
    if not out and unexpanded:
        e = Undecided("the privileges of granted role(s) could not be read: " + "; ".join(unexpanded))
        e.grant = ("GRANT SELECT ON mysql.global_priv TO {r}; GRANT SELECT ON mysql.user TO {r};" if db.flavor == "mariadb"
                   else "GRANT SELECT ON mysql.user TO {r};").format(r=p.caps.role)
        raise e
    return out


@probe("SE-01", "my.server-file-access", "SQL cannot read or write server files (local_infile, secure_file_priv)",
       engines="mysql", anchors=("live:SE-21", "DevSec mysql-conf-03", "CIS MySQL 4.3-4.8"),
       fix="local_infile = OFF, secure_file_priv = a dedicated directory (or NULL to disable LOAD DATA / SELECT ... "
           "INTO OUTFILE), skip-symbolic-links.")
def server_file_access(db, p):
    out = []
    v = variables(db)
    priv = db.scalar("SELECT @@GLOBAL.secure_file_priv")
    p.note(f"local_infile = {v.get('local_infile')}, secure_file_priv = {priv!r}, have_symlink = {v.get('have_symlink')}")
    if on(v.get("local_infile", "OFF")):
        out.append(Finding("local_infile = ON: a client (or an injected statement) can make the server read client "
                           "files with LOAD DATA LOCAL", observed="ON", expected="OFF"))
    # MySQL: NULL disables file import/export; MariaDB: NULL and '' both mean "any directory"
    if str(priv or "") == "" and (priv is not None or db.flavor == "mariadb"):
        out.append(Finding("secure_file_priv is empty: accounts with FILE can read and write any file the server "
                           "can", observed="''", expected="a dedicated directory or NULL", severity="High"))
    if str(v.get("have_symlink", "")).upper() == "YES":
        out.append(Finding("symbolic links are allowed for tables (have_symlink = YES)", observed="YES",
                           expected="DISABLED (skip-symbolic-links)", severity="Low"))
    if on(v.get("allow_suspicious_udfs", "OFF")):
        out.append(Finding("allow_suspicious_udfs = ON", observed="ON", expected="OFF"))
    return out


# -- SE-03: how many administrators ----------------------------------------------------------------------------

@probe("SE-03", "my.admin-accounts", "Few accounts hold administrative or grant privileges", engines="mysql",
       needs=("mysql_user",), thresholds={"max_admin_accounts": 1},
       anchors=("live:SE-02", "live:SE-05", "DevSec mysql-db-06", "pgdsat 4.3", "CIS MySQL 5.1-5.8"),
       fix="Revoke SUPER, GRANT OPTION, FILE, SHUTDOWN and CREATE USER from everyone but the DBA account(s); "
           "grant application rights through roles on named schemas.")
def admin_accounts(db, p):
    admins: dict[str, list[str]] = {}
    for a in accounts(db):
        if a.role or a.locked or (a.user in BUILTIN_ADMINS and a.user != "root"):
            continue
        privs = [x for x in a.admin_privs if x not in ("PROCESS", "RELOAD", "REPLICATION SLAVE")]
        if privs:
            admins.setdefault(a.user, []).append(f"{a.name}: {', '.join(privs)}")
    limit = int(p.threshold("max_admin_accounts"))
    p.note(f"{len(admins)} user name(s) with administrative privileges: {', '.join(sorted(admins)) or 'none'}")
    if len(admins) <= limit:
        return []
    return [Finding(f"{len(admins)} accounts hold administrative privileges (limit {limit}): "
                    + "; ".join(line for lines in admins.values() for line in lines),
                    observed=len(admins), expected=f"<= {limit}")] + [
        Finding(f"{line}", location=line.split(":")[0]) for user, lines in sorted(admins.items())
        if user != "root" for line in lines]


# -- SE-07: passwords -------------------------------------------------------------------------------------------

@probe("SE-07", "my.anonymous-users", "No anonymous account exists", engines="mysql", needs=("mysql_user",),
       anchors=("live:SE-11", "DevSec mysql-db-04", "MySQLTuner", "CIS MySQL 7.8"),
       fix="DROP USER ''@'localhost', ''@'<hostname>' (mysql_secure_installation does it).")
def anonymous_users(db, p):
    anon = [a for a in accounts(db) if a.user == "" and not a.role]
    p.note(f"{len(anon)} anonymous account(s)")
    return [Finding(f"anonymous account {a.name}" + (" (locked)" if a.locked else ""), location=a.name,
                    severity="Medium" if a.locked else "High") for a in anon]


@probe("SE-07", "my.empty-passwords", "No account can log in with an empty password", engines="mysql",
       needs=("mysql_user",), anchors=("live:SE-09", "DevSec mysql-db-05", "MySQLTuner #982 #102", "CIS MySQL 7.5"),
       fix="ALTER USER ... IDENTIFIED BY '<strong password>' (or IDENTIFIED VIA unix_socket for local admin "
           "accounts), or ACCOUNT LOCK / DROP USER for accounts nobody uses.")
def empty_passwords(db, p):
    accs = login_accounts(db)  # roles and locked accounts cannot log in (MySQLTuner false positives #102)
    out = []
    for a in accs:
        # socket/PAM/GSSAPI methods store no password: an empty string there is normal (MySQLTuner #982)
        empty = [pl or "mysql_native_password" for pl, secret in a.auth if pl in PASSWORD_PLUGINS and secret == ""]
        if empty:
            out.append(Finding(f"account {a.name} accepts an empty password ({empty[0]})", location=a.name,
                               observed="empty password", expected="a password or socket authentication",
                               severity="Critical"))
    p.note(f"{len(accs)} login account(s) checked")
    return out


@probe("SE-07", "my.weak-passwords", "No mysql_native_password hash matches a well-known or user-name password",
       engines="mysql", needs=("mysql_user",), thresholds={"weak_passwords": WEAK_PASSWORDS},
       anchors=("live:SE-10", "MySQLTuner weak password list (offline here)", "CIS MySQL 4.2"),
       fix="ALTER USER ... IDENTIFIED BY a generated password stored in the secret manager.")
def weak_passwords(db, p):
    words = [str(w) for w in p.threshold("weak_passwords")]
    out, unchecked = [], {}
    for a in login_accounts(db):
        for plugin, secret in a.auth:
            if plugin in ("mysql_native_password", "") and re.fullmatch(r"\*[0-9A-F]{40}", secret.upper()):
                for cand in dict.fromkeys(words + [a.user, a.user[::-1], a.user + "123"]):
                    if cand and _native_hash(cand) == secret.upper():
                        what = "its user name" if cand == a.user else "a well-known password"
                        out.append(Finding(f"account {a.name} uses {what} (mysql_native_password hash matches)",
                                           location=a.name, observed="guessable password", severity="Critical",
                                           expected="a generated password"))
                        break
            elif plugin in PASSWORD_PLUGINS and secret and plugin != "mysql_native_password":
                unchecked[plugin] = unchecked.get(plugin, 0) + 1
    for plugin, n in unchecked.items():
        p.note(f"{n} account(s) with {plugin} verifiers: not checked (salted hashes; no offline test here)")
    p.note(f"checked native hashes against {len(words)} common passwords and each user name")
    return out


@probe("SE-07", "my.test-database", "The sample 'test' database is gone", engines="mysql",
       anchors=("live:SE-11", "DevSec mysql-db-03", "CIS MySQL 4.4"),
       fix="DROP DATABASE test; and DELETE FROM mysql.db WHERE Db LIKE 'test%' (mysql_secure_installation).")
def test_database(db, p):
    names = {str(next(iter(r.values()))) for r in db.rows("SHOW DATABASES")}
    if "test" in names:
        return [Finding("database 'test' exists (any account may have been granted access to it by default)",
                        location="test")]
    sees_all = any(re.search(r"\b(ALL PRIVILEGES|SHOW DATABASES)\b.* ON \*\.\*", g) for g in my_grants(db))
    if not sees_all:
        e = Undecided("SHOW DATABASES lists only the databases this account may use, so an absent 'test' proves "
                      "nothing")
        e.grant = "GRANT SHOW DATABASES ON *.* TO " + p.caps.role + ";"
        raise e
    p.note(f"{len(names)} database(s) listed, no 'test'")
    return []


# -- SE-09 / SE-10: where accounts may connect from ------------------------------------------------------------

@probe("SE-09", "my.wildcard-hosts", "No account accepts connections from any address", engines="mysql",
       needs=("mysql_user",), anchors=("live:SE-12", "DevSec mysql-db-07", "CIS MySQL 7.7"),
       fix="Recreate the account for the application's subnet or host ('app'@'10.0.1.%'), not '%'.")
def wildcard_hosts(db, p):
    out, names = [], 0
    for a in login_accounts(db):
        if _any_source(a.host):
            out.append(Finding(f"account {a.name} accepts connections from any address", location=a.name,
                               observed=f"host '{a.host}'", expected="a private subnet or host"))
        elif _public_pattern(a.host):
            out.append(Finding(f"account {a.name} accepts connections from a public address range", location=a.name,
                               observed=f"host '{a.host}'", expected="a private subnet or host", severity="Medium"))
        elif _public_pattern(a.host) is None and not _is_local(a.host):
            names += 1
    p.note(f"bind_address = {var(db, 'bind_address', '(not reported)')}; {names} account(s) by host name not judged")
    return out


@probe("SE-10", "my.admin-remote-hosts", "Administrative accounts connect only from the local host", engines="mysql",
       needs=("mysql_user",), anchors=("live:SE-12", "DevSec mysql-db-08", "MySQLTuner root not local"),
       fix="Drop 'root'@'%' and other remote administrator accounts; administer over SSH / a bastion to localhost.")
def admin_remote_hosts(db, p):
    out = []
    for a in login_accounts(db):
        strong = [x for x in a.admin_privs if x not in ("PROCESS", "RELOAD", "REPLICATION SLAVE")]
        if (a.user == "root" or strong) and not _is_local(a.host):
            out.append(Finding(f"administrator account {a.name} may connect from '{a.host}'", location=a.name,
                               observed=f"host '{a.host}'", expected="localhost / 127.0.0.1 / ::1"))
    p.note(f"{len(login_accounts(db))} login account(s) checked")
    return out


# -- SE-04 / SE-13: hashing and password policy ----------------------------------------------------------------

@probe("SE-04", "my.weak-auth-plugins", "Passwords are stored with a salted, current authentication plugin",
       engines="mysql", needs=("mysql_user",), anchors=("live:SE-08", "MySQLTuner insecure auth plugins",
                                                        "CIS MySQL 7.1"),
       fix="MySQL: ALTER USER ... IDENTIFIED WITH caching_sha2_password; MariaDB: IDENTIFIED VIA ed25519 (INSTALL "
           "SONAME 'auth_ed25519') or parsec (11.6+).")
def weak_auth_plugins(db, p):
    weak = {"mysql_native_password": "unsalted double SHA-1", "sha256_password": "deprecated",
            "mysql_old_password": "pre-4.1 hash, trivially reversible"}
    out = []
    for a in login_accounts(db):
        for plugin, secret in a.auth:
            plugin = plugin or "mysql_native_password"
            if plugin in weak and secret and secret.lower() != "invalid":
                out.append(Finding(f"account {a.name} stores its password with {plugin} ({weak[plugin]})",
                                   location=a.name, observed=plugin, expected="caching_sha2_password / ed25519"))
    if on(var(db, "old_passwords", "OFF")) or var(db, "old_passwords") in ("1", "2"):
        out.append(Finding(f"old_passwords = {var(db, 'old_passwords')}", observed=var(db, "old_passwords"),
                           expected="OFF / 0"))
    p.note(f"default authentication plugin: {var(db, 'default_authentication_plugin') or var(db, 'authentication_policy') or 'mysql_native_password (MariaDB)'}")
    return out


@probe("SE-04", "my.password-validation", "The server rejects weak new passwords", engines="mysql",
       anchors=("live:SE-16", "CIS MySQL 7.6", "pgdsat 5.6 analogue"),
       fix="MySQL: INSTALL COMPONENT 'file://component_validate_password' (policy MEDIUM+); MariaDB: INSTALL SONAME "
           "'simple_password_check' (or cracklib_password_check) and 'password_reuse_check'.")
def password_validation(db, p):
    v = variables(db)
    if "validate_password.policy" in v or "validate_password_policy" in v:
        policy = v.get("validate_password.policy") or v.get("validate_password_policy")
        p.note(f"validate_password policy {policy}, length {v.get('validate_password.length') or v.get('validate_password_length')}")
        return [Finding("validate_password runs with the LOW policy (length only)", observed=policy,
                        expected="MEDIUM or STRONG")] if str(policy).upper() in ("LOW", "0") else []
    active = [r["PLUGIN_NAME"] for r in plugins(db).values() if str(r["PLUGIN_TYPE"]).upper() == "PASSWORD VALIDATION"
              and str(r["PLUGIN_STATUS"]).upper() == "ACTIVE"]
    p.note("password validation plugins: " + (", ".join(active) or "none"))
    return [] if active else [Finding("no password validation plugin or component is active: any password is accepted",
                                      expected="validate_password / simple_password_check / cracklib_password_check")]


@probe("SE-04", "my.login-throttling", "Repeated failed logins are throttled or locked out", engines="mysql",
       anchors=("live:SE-16", "live:SE-17", "pgdsat 5.7 analogue"),
       fix="MariaDB: max_password_errors = 10 (locks the account until FLUSH PRIVILEGES). MySQL: the "
           "connection_control plugin, or FAILED_LOGIN_ATTEMPTS n PASSWORD_LOCK_TIME d per account.")
def login_throttling(db, p):
    if db.flavor == "mariadb":
        errors = int(float(var(db, "max_password_errors") or 4294967295))
        p.note(f"max_password_errors = {errors}")
        return [Finding("max_password_errors is unlimited: a password can be guessed without lockout",
                        observed=errors, expected="a small number, e.g. 10")] if errors >= 4294967295 else []
    if plugin_active(db, "connection_control", "CONNECTION_CONTROL"):
        p.note(f"connection_control active, threshold {var(db, 'connection_control_failed_connections_threshold')}")
        return []
    p.note("per-account FAILED_LOGIN_ATTEMPTS is not looked at by this probe")
    return [Finding("no server-wide login throttling (connection_control plugin not active)",
                    expected="connection_control or FAILED_LOGIN_ATTEMPTS on every account", severity="Low")]


@probe("SE-13", "my.password-expiry", "Passwords expire after a bounded lifetime", engines="mysql",
       thresholds={"max_password_lifetime_days": 365}, anchors=("live:SE-16", "CIS MySQL 7.x password lifetime"),
       fix="SET PERSIST default_password_lifetime = 365 (or less); exempt service accounts whose secrets rotate "
           "elsewhere with ALTER USER ... PASSWORD EXPIRE NEVER, explicitly.")
def password_expiry(db, p):
    days = int(float(var(db, "default_password_lifetime") or 0))
    limit = int(p.threshold("max_password_lifetime_days"))
    p.note(f"default_password_lifetime = {days} day(s) (0 = never)")
    if days == 0:
        return [Finding("passwords never expire (default_password_lifetime = 0)", observed=0,
                        expected=f"1-{limit} days", severity="Low")]
    return [Finding(f"passwords live {days} days", observed=days, expected=f"<= {limit}", severity="Low")] \
        if days > limit else []


# -- SE-06: TLS ------------------------------------------------------------------------------------------------

@probe("SE-06", "my.secure-transport", "TLS is available and required for every TCP connection", engines="mysql",
       anchors=("live:SE-14", "CIS MySQL 8.1", "MySQLTuner require_secure_transport"),
       fix="Configure ssl_cert/ssl_key (MariaDB 11.4+ creates them), then SET PERSIST require_secure_transport = ON.")
def secure_transport(db, p):
    have = str(var(db, "have_ssl", "") or "").upper()
    req = var(db, "require_secure_transport", "OFF")
    cipher = db.rows("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
    p.note(f"have_ssl = {have or '(not reported)'}, require_secure_transport = {req}, this session's cipher = "
           f"{(cipher[0]['Value'] if cipher else '') or 'none (clear text)'}")
    out = []
    if have and have != "YES":
        out.append(Finding(f"TLS is not available on the server (have_ssl = {have})", observed=have, expected="YES"))
    if not on(req):
        out.append(Finding("clients may connect without TLS (require_secure_transport = OFF)", observed=req,
                           expected="ON"))
    return out


@probe("SE-06", "my.remote-users-without-ssl", "Remote accounts must use TLS (REQUIRE SSL/X509)", engines="mysql",
       needs=("mysql_user",), anchors=("live:SE-14", "CIS MySQL 8.2", "MySQLTuner remote users without SSL"),
       fix="ALTER USER ... REQUIRE SSL (or X509) for every non-local account, or require_secure_transport = ON.")
def remote_users_without_ssl(db, p):
    if on(var(db, "require_secure_transport", "OFF")):
        p.note("require_secure_transport = ON: TLS is enforced for every TCP account")
        return []
    bad = [a for a in login_accounts(db) if not _is_local(a.host) and not a.ssl_type.strip()]
    p.note(f"{len(bad)} non-local account(s) without REQUIRE SSL")
    return [Finding(f"account {a.name} may connect in clear text (no REQUIRE SSL)", location=a.name,
                    observed="ssl_type ''", expected="ANY / X509 / SPECIFIED") for a in bad]


_TLS_ORDER = ["TLSV1", "TLSV1.1", "TLSV1.2", "TLSV1.3"]


@probe("SE-06", "my.tls-versions", "Only current TLS versions are enabled and the certificate is not expiring",
       engines="mysql", thresholds={"min_cert_days_left": 30}, anchors=("live:SE-15", "MySQLTuner TLSv1/1.1"),
       fix="SET PERSIST tls_version = 'TLSv1.2,TLSv1.3' (MariaDB: tls_version in the option file) and renew the "
           "server certificate before it expires.")
def tls_versions(db, p):
    have = str(var(db, "have_ssl", "") or "").upper()
    if have and have != "YES":
        raise NotApplicable(f"TLS is not available (have_ssl = {have}; my.secure-transport reports it)")
    versions = [x.strip().upper() for x in (var(db, "tls_version") or "").split(",") if x.strip()]
    minimum = str(p.threshold("min_tls_version")).upper()
    p.note(f"tls_version = {','.join(versions) or '(not reported)'}")
    out = []
    if minimum in _TLS_ORDER:
        old = [v for v in versions if v in _TLS_ORDER and _TLS_ORDER.index(v) < _TLS_ORDER.index(minimum)]
        if old:
            out.append(Finding(f"obsolete TLS versions enabled: {', '.join(old)}", observed=",".join(versions),
                               expected=f">= {p.threshold('min_tls_version')}"))
    not_after = (db.rows("SHOW GLOBAL STATUS LIKE 'Ssl_server_not_after'") or [{}])[0].get("Value") or ""
    if not_after:
        try:
            end = dt.datetime.strptime(re.sub(r"\s+", " ", not_after.replace(" GMT", "")).strip(), "%b %d %H:%M:%S %Y")
        except ValueError:
            end = None
        if end:
            left = (end - dt.datetime.utcnow()).days
            p.note(f"server certificate valid until {not_after} ({left} days)")
            if left < int(p.threshold("min_cert_days_left")):
                out.append(Finding(f"the server certificate expires in {left} days", observed=not_after,
                                   expected=f">= {p.threshold('min_cert_days_left')} days", severity="High"))
    return out


# -- SE-08: audit logging --------------------------------------------------------------------------------------

@probe("SE-08", "my.audit-plugin", "An audit plugin logs connections and DDL", engines="mysql",
       anchors=("live:SE-19", "CIS MySQL 6.5-6.12"),
       fix="MariaDB: INSTALL SONAME 'server_audit'; server_audit_logging = ON; server_audit_events = "
           "'CONNECT,QUERY_DDL,QUERY_DCL'. MySQL: audit_log (Enterprise) or Percona's audit_log plugin.")
def audit_plugin(db, p):
    v = variables(db)
    if plugin_active(db, "server_audit", "SERVER_AUDIT"):
        events = {e.strip().upper() for e in (v.get("server_audit_events") or "").split(",") if e.strip()}
        p.note(f"server_audit active: logging {v.get('server_audit_logging')}, events {sorted(events) or 'all'}, "
               f"output {v.get('server_audit_output_type')}")
        out = []
        if not on(v.get("server_audit_logging", "OFF")):
            out.append(Finding("server_audit is loaded but not logging", observed="server_audit_logging = OFF",
                               expected="ON"))
        missing = [e for e in ("CONNECT", "QUERY_DDL") if events and e not in events and "QUERY" not in events]
        if missing:
            out.append(Finding(f"server_audit_events lacks {', '.join(missing)}", observed=",".join(sorted(events)),
                               expected="CONNECT,QUERY_DDL,QUERY_DCL"))
        return out
    name = plugin_active(db, "audit_log", "AUDIT_LOG")
    if name:
        policy = v.get("audit_log_policy") or v.get("audit_log_connection_policy") or ""
        p.note(f"{name} active, audit_log_policy = {policy or '(filter-based)'}")
        return [Finding("audit_log is loaded with policy NONE", observed=policy, expected="ALL or LOGINS+QUERIES")] \
            if policy.upper() == "NONE" else []
    return [Finding("no audit plugin is active: connections, privilege changes and DDL leave no audit trail",
                    expected="server_audit / audit_log ACTIVE")]


@probe("SE-08", "my.general-log", "The general query log (passwords in clear text) is off", engines="mysql",
       anchors=("live:SE-23", "CIS MySQL 6.4 (log-raw)"),
       fix="SET GLOBAL general_log = OFF (use the audit plugin for an audit trail); log_raw = OFF on MySQL.")
def general_log(db, p):
    v = variables(db)
    p.note(f"general_log = {v.get('general_log')}, log_raw = {v.get('log_raw', '(n/a)')}")
    out = []
    if on(v.get("general_log", "OFF")):
        out.append(Finding("the general query log is on: every statement, with its literals, is written to "
                           f"{v.get('general_log_file')}", observed="general_log = ON", expected="OFF"))
    if on(v.get("log_raw", "OFF")):
        out.append(Finding("log_raw = ON writes passwords unrewritten to the logs", observed="ON", expected="OFF"))
    return out


# -- SE-05: encryption at rest ---------------------------------------------------------------------------------

@probe("SE-05", "my.encryption-at-rest", "Tables, redo/undo and binary logs are encrypted by the server",
       engines="mysql", anchors=("live:SE-20", "MySQLTuner TDE"),
       fix="Load a keyring (MySQL component_keyring_file / KMS; MariaDB file_key_management or a KMS plugin), then "
           "default_table_encryption / innodb_encrypt_tables, binlog_encryption / encrypt_binlog and redo log "
           "encryption.")
def encryption_at_rest(db, p):
    v = variables(db)
    binlog = on(v.get("log_bin", "OFF"))
    if db.flavor == "mariadb":
        checks = [("innodb_encrypt_tables", v.get("innodb_encrypt_tables", "OFF")),
                  ("innodb_encrypt_log", v.get("innodb_encrypt_log", "OFF")),
                  ("encrypt_tmp_files", v.get("encrypt_tmp_files", "OFF"))]
        if binlog:
            checks.append(("encrypt_binlog", v.get("encrypt_binlog", "OFF")))
    else:
        checks = [("default_table_encryption", v.get("default_table_encryption", "OFF")),
                  ("innodb_redo_log_encrypt", v.get("innodb_redo_log_encrypt", "OFF")),
                  ("innodb_undo_log_encrypt", v.get("innodb_undo_log_encrypt", "OFF"))]
        if binlog:
            checks.append(("binlog_encryption", v.get("binlog_encryption", "OFF")))
    p.note(", ".join(f"{k} = {val}" for k, val in checks))
    off = [k for k, val in checks if not on(val)]
    if off and p.caps.platform:
        raise Undecided(f"{p.caps.platform} encrypts storage outside the server, which SQL cannot see; server-side "
                        f"encryption off: {', '.join(off)}")
    return [Finding(f"{k} is OFF: that data is written to disk in clear text (storage-level encryption, if any, "
                    "is not visible from SQL)", location=f"variable {k}", observed="OFF", expected="ON")
            for k in off]
