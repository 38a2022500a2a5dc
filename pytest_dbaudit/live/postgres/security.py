"""PostgreSQL live probes: security.

Probes about "the app account" (SE-01, SE-02) judge the connected role: they are most truthful when
the audit runs with the application's own credentials. Cluster-wide probes (roles, pg_hba.conf,
stored verifiers) judge every role; probes about objects judge the audited database.
"""

from __future__ import annotations

import time

from ...outcomes import Finding, NotApplicable, Undecided
from ..probe import probe
from . import secfacts as sf

PG = "postgresql"


def _role_loc(db, role: str) -> str:
    return f"{db.target.label} role {role}"


def _me(db) -> dict:
    return db.memo("pg_sec_me", lambda d: d.rows(
        "SELECT r.oid, r.rolname, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, "
        "r.rolconnlimit FROM pg_catalog.pg_roles r WHERE r.rolname = current_user")[0])


# ---------------------------------------------------------------------------------------------
# SE-01 Applications connect with least-privilege roles, never as superuser
# ---------------------------------------------------------------------------------------------

_ATTRS = (("rolsuper", "SUPERUSER", "Critical"), ("rolcreaterole", "CREATEROLE", "High"),
          ("rolcreatedb", "CREATEDB", "High"), ("rolreplication", "REPLICATION", "High"),
          ("rolbypassrls", "BYPASSRLS", "High"))


@probe("SE-01", "pg.app-role-attributes", "The connected (application) role has no superuser or admin attributes",
       engines=PG, anchors=("DSP-08", "PD 4.3", "SB 4"),
       fix="Connect the application with a role created NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION "
           "NOBYPASSRLS; run migrations and administration with separate roles.")
def app_role_attributes(db, p):
    """Attributes of the connected role itself, and of roles it can SET ROLE to (membership)."""
    me = _me(db)
    p.note(f"judged for the connected role {me['rolname']}; run the audit with the application's credentials "
           "for this item to describe the application")
    out = []
    for col, name, sev in _ATTRS:
        if me[col]:
            out.append(Finding(f"the connected role {me['rolname']} has {name}", location=_role_loc(db, me["rolname"]),
                               observed=name, expected=f"NO{name}", severity=sev))
    if me["rolsuper"]:
        return out  # a superuser is a member of everything: the membership list would be noise
    rows = db.rows("""
        SELECT g.rolname, g.rolsuper, g.rolcreaterole, g.rolcreatedb, g.rolreplication, g.rolbypassrls
        FROM pg_catalog.pg_roles g
        WHERE g.rolname <> current_user AND pg_catalog.pg_has_role(current_user, g.oid, 'MEMBER')
          AND (g.rolsuper OR g.rolcreaterole OR g.rolcreatedb OR g.rolreplication OR g.rolbypassrls)
        ORDER BY 1""")
    for r in rows:
        held = [name for col, name, _ in _ATTRS if r[col]]
        out.append(Finding(f"the connected role {me['rolname']} is a member of {r['rolname']} ({', '.join(held)}) "
                           "and can SET ROLE to it", location=_role_loc(db, me["rolname"]),
                           observed=f"member of {r['rolname']}", expected="no membership in admin roles",
                           severity="Critical" if r["rolsuper"] else "High"))
    return out


# Predefined roles that reach outside the database or over every table. Monitoring roles
# (pg_monitor, pg_read_all_stats, pg_read_all_settings) are read-only visibility and not listed.
_POWER_ROLES = {"pg_read_server_files": "Critical", "pg_write_server_files": "Critical",
                "pg_execute_server_program": "Critical", "pg_write_all_data": "High", "pg_read_all_data": "High",
                "pg_signal_backend": "Medium", "pg_create_subscription": "Medium"}
_FILE_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program")


@probe("SE-01", "pg.app-role-predefined-roles", "The connected role holds no server-file or all-data predefined role",
       engines=PG, anchors=("ref SE-01", "ref SE-21", "CISPG 4.9"),
       fix="REVOKE pg_write_server_files / pg_read_server_files / pg_execute_server_program / pg_read_all_data / "
           "pg_write_all_data FROM the application role.")
def app_role_predefined(db, p):
    """Server-file access (COPY ... TO PROGRAM, pg_read_file) and all-data roles held by the connected role."""
    me = _me(db)
    if me["rolsuper"]:
        p.note("the connected role is a superuser (reported by pg.app-role-attributes), which implies all of these")
        return []
    names = ", ".join(f"'{n}'" for n in _POWER_ROLES)
    rows = db.rows(f"SELECT g.rolname FROM pg_catalog.pg_roles g WHERE g.rolname IN ({names}) "
                   "AND pg_catalog.pg_has_role(current_user, g.oid, 'MEMBER') ORDER BY 1")
    return [Finding(f"the connected role {me['rolname']} is a member of {r['rolname']}",
                    location=_role_loc(db, me["rolname"]), observed=r["rolname"], expected="not a member",
                    severity=_POWER_ROLES[r["rolname"]]) for r in rows]


@probe("SE-01", "pg.server-file-roles", "No other non-superuser role can read or write server files or run programs",
       engines=PG, anchors=("ref SE-21", "CISMY 4.3-4.8 (analogue)"),
       fix="REVOKE pg_read_server_files, pg_write_server_files, pg_execute_server_program FROM every role that is "
           "not a DBA.")
def server_file_roles(db, p):
    """Cluster-wide members of the server-file roles (the connected role is judged by its own probe)."""
    rows = db.rows(f"""
        SELECT u.rolname AS member, g.rolname AS granted
        FROM pg_catalog.pg_roles g JOIN pg_catalog.pg_roles u
          ON pg_catalog.pg_has_role(u.oid, g.oid, 'MEMBER') AND u.oid <> g.oid
        WHERE g.rolname IN ({", ".join(f"'{n}'" for n in _FILE_ROLES)}) AND NOT u.rolsuper
          AND u.rolname <> current_user AND u.rolname NOT LIKE 'pg\\_%'
        ORDER BY 1, 2""")
    p.note(f"{len(rows)} membership(s) of server-file roles held by non-superusers")
    return [Finding(f"role {r['member']} is a member of {r['granted']}", location=_role_loc(db, r["member"]),
                    observed=r["granted"], expected="only DBAs", severity="High")
            for r in rows if r["member"] not in sf.PLATFORM_ROLES]


@probe("SE-01", "pg.untrusted-languages", "No untrusted procedural language is installed in the database",
       engines=PG, anchors=("DSP-04", "DSP-05", "ref SE-07"),
       fix="DROP EXTENSION plpython3u / plperlu / pltclu (or DROP LANGUAGE) where the database does not need it.")
def untrusted_languages(db, p):
    """An untrusted language lets whoever can create functions in it run code as the server's OS user."""
    rows = db.rows("SELECT lanname FROM pg_catalog.pg_language WHERE NOT lanpltrusted "
                   "AND lanname NOT IN ('c', 'internal') ORDER BY 1")
    return [Finding(f"untrusted language {r['lanname']} is installed in {db.database}",
                    location=f"{db.target.label} language {r['lanname']}", observed="untrusted",
                    expected="trusted languages only (plpgsql, sql)", severity="High") for r in rows]


@probe("SE-01", "pg.dangerous-extensions", "No extension that reaches the file system or other servers is installed",
       engines=PG, anchors=("PD 1.8", "ref SE-24"),
       thresholds={"risky_extensions": ["dblink", "postgres_fdw", "file_fdw", "adminpack", "pageinspect",
                                        "pg_surgery"],
                   "allowed_risky_extensions": []},
       fix="DROP EXTENSION what the database does not need, or list it in allowed_risky_extensions after review.")
def dangerous_extensions(db, p):
    """Extensions that read or write server files, edit pages or open connections to other servers.
    Untrusted languages (plpython3u, plperlu ...) are reported by pg.untrusted-languages however installed."""
    risky = {e.lower() for e in p.threshold("risky_extensions")} - {e.lower() for e in p.threshold("allowed_risky_extensions")}
    rows = db.rows("SELECT extname, extversion FROM pg_catalog.pg_extension ORDER BY 1")
    p.note("installed extensions: " + (", ".join(r["extname"] for r in rows) or "none"))
    return [Finding(f"extension {r['extname']} is installed in {db.database}",
                    location=f"{db.target.label} extension {r['extname']}", observed=r["extname"],
                    expected="not installed unless reviewed (allowed_risky_extensions)", severity="Medium")
            for r in rows if r["extname"].lower() in risky]


# ---------------------------------------------------------------------------------------------
# SE-02 Each application has its own service account, separate from admin roles
# ---------------------------------------------------------------------------------------------

@probe("SE-02", "pg.app-role-owns-objects", "The connected (application) role owns no objects in the database",
       engines=PG, anchors=("ref SE-03",),
       fix="ALTER TABLE ... OWNER TO a separate migration role; grant the application only DML.")
def app_role_owns_objects(db, p):
    """An owner can ALTER and DROP what it owns: the app and its migrations then share one role."""
    rows = db.rows(f"""
        SELECT kind, count(*) AS n, min(name) AS example FROM (
          SELECT 'relation' AS kind, n.nspname || '.' || c.relname AS name
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
            AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {sf.SYSTEM_SCHEMAS}
          UNION ALL
          SELECT 'schema', n.nspname FROM pg_catalog.pg_namespace n
          WHERE n.nspowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) AND {sf.SYSTEM_SCHEMAS}
          UNION ALL
          SELECT 'function', n.nspname || '.' || f.proname FROM pg_catalog.pg_proc f
          JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace
          WHERE f.proowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) AND {sf.SYSTEM_SCHEMAS}
        ) o GROUP BY kind ORDER BY kind""")
    me = _me(db)["rolname"]
    p.note(f"judged for the connected role {me}")
    return [Finding(f"the connected role {me} owns {r['n']} {r['kind']}(s) in {db.database} (e.g. {r['example']})",
                    location=_role_loc(db, me), observed=f"{r['n']} owned {r['kind']}(s)",
                    expected="objects owned by a separate migration role") for r in rows]


@probe("SE-02", "pg.app-role-create-privileges", "The connected role cannot create schemas or objects",
       engines=PG, anchors=("ref SE-03", "PD 4.10"),
       fix="REVOKE CREATE ON DATABASE/SCHEMA ... FROM the application role (and FROM PUBLIC).")
def app_role_create(db, p):
    """CREATE on the database or a schema lets the application create (and so own) objects."""
    me = _me(db)
    if me["rolsuper"]:
        p.note("the connected role is a superuser (SE-01): it can create anything")
    rows = db.rows(f"""
        SELECT 'database ' || current_database() AS what
        WHERE pg_catalog.has_database_privilege(current_database(), 'CREATE')
        UNION ALL
        SELECT 'schema ' || n.nspname FROM pg_catalog.pg_namespace n
        WHERE {sf.SYSTEM_SCHEMAS} AND pg_catalog.has_schema_privilege(n.oid, 'CREATE')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                          WHERE e.classid = 'pg_catalog.pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
        ORDER BY 1""")
    return [Finding(f"the connected role {me['rolname']} has CREATE on {r['what']}", location=_role_loc(db, me["rolname"]),
                    observed="CREATE", expected="USAGE only", severity="Medium") for r in rows]


@probe("SE-02", "pg.app-role-connection-limit", "The connected service account has its own connection limit",
       engines=PG, anchors=("PD 5.5", "ref SE-18"), thresholds={"require_role_connlimit": True},
       fix="ALTER ROLE app CONNECTION LIMIT n, sized to its pool, so one service cannot take every connection.")
def app_role_connlimit(db, p):
    me = _me(db)
    if not p.threshold("require_role_connlimit"):
        raise NotApplicable("require_role_connlimit is off in the audit config")
    if me["rolsuper"]:
        raise NotApplicable("superusers are not subject to CONNECTION LIMIT (the superuser is reported by SE-01)")
    p.note(f"{me['rolname']} rolconnlimit = {me['rolconnlimit']}")
    if me["rolconnlimit"] == -1:
        return [Finding(f"the connected role {me['rolname']} has no connection limit", location=_role_loc(db, me["rolname"]),
                        observed="CONNECTION LIMIT -1", expected="a limit sized to the service's pool", severity="Low")]
    return []


# ---------------------------------------------------------------------------------------------
# SE-03 Privileges are granted through roles, with no PUBLIC or stray grant options
# ---------------------------------------------------------------------------------------------

@probe("SE-03", "pg.superuser-count", "At most one superuser role exists",
       engines=PG, anchors=("DSP-08", "PD 4.3", "ref SE-02"), thresholds={"max_superusers": 1},
       fix="ALTER ROLE ... NOSUPERUSER for every superuser but the one DBA role; give DBAs personal roles that "
           "SET ROLE to it.")
def superuser_count(db, p):
    rows = db.rows("SELECT rolname, rolcanlogin FROM pg_catalog.pg_roles WHERE rolsuper ORDER BY 1")
    mine = [r for r in rows if r["rolname"] not in sf.PLATFORM_ROLES]
    limit = int(p.threshold("max_superusers"))
    p.note(f"{len(mine)} superuser role(s): {', '.join(r['rolname'] for r in mine)}"
           + (f" (platform roles not counted: {', '.join(r['rolname'] for r in rows if r not in mine)})"
              if len(mine) < len(rows) else ""))
    if len(mine) <= limit:
        return []
    return [Finding(f"role {r['rolname']} is a superuser ({len(mine)} superusers, at most {limit} expected)",
                    location=_role_loc(db, r["rolname"]), observed="SUPERUSER", expected=f"at most {limit} superuser(s)",
                    severity="High") for r in mine]


@probe("SE-03", "pg.admin-attribute-holders", "No non-superuser role holds CREATEROLE or CREATEDB unless listed",
       engines=PG, anchors=("DSP-08", "ref SE-02"), thresholds={"createrole_createdb_allowlist": []},
       fix="ALTER ROLE ... NOCREATEROLE NOCREATEDB, or list the DBA role in createrole_createdb_allowlist.")
def admin_attribute_holders(db, p):
    allowed = set(p.threshold("createrole_createdb_allowlist")) | sf.PLATFORM_ROLES
    rows = db.rows("SELECT rolname, rolcreaterole, rolcreatedb FROM pg_catalog.pg_roles "
                   "WHERE NOT rolsuper AND (rolcreaterole OR rolcreatedb) ORDER BY 1")
    # Before PostgreSQL 16 CREATEROLE can grant itself into almost any role: nearly superuser.
    role_sev = "High" if p.caps.version < (16,) else "Medium"
    out = []
    for r in rows:
        if r["rolname"] in allowed:
            continue
        attrs = [a for a, on in (("CREATEROLE", r["rolcreaterole"]), ("CREATEDB", r["rolcreatedb"])) if on]
        out.append(Finding(f"role {r['rolname']} has {' and '.join(attrs)}", location=_role_loc(db, r["rolname"]),
                           observed=", ".join(attrs), expected="only the DBA role (createrole_createdb_allowlist)",
                           severity=role_sev if r["rolcreaterole"] else "Medium"))
    return out


@probe("SE-03", "pg.public-schema-create", "PUBLIC cannot create objects in any schema",
       engines=PG, anchors=("PD 4.10", "ref SE-04", "CVE-2018-1058"),
       fix="REVOKE CREATE ON SCHEMA public FROM PUBLIC; (the default since PostgreSQL 15)")
def public_schema_create(db, p):
    rows = db.rows(f"""
        SELECT n.nspname FROM pg_catalog.pg_namespace n,
             LATERAL pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
        WHERE a.grantee = 0 AND a.privilege_type = 'CREATE' AND {sf.SYSTEM_SCHEMAS}
        ORDER BY 1""")
    return [Finding(f"PUBLIC has CREATE on schema {r['nspname']}", location=f"{db.target.label} schema {r['nspname']}",
                    observed="CREATE granted to PUBLIC", expected="no CREATE for PUBLIC", severity="High") for r in rows]


_NOT_EXTENSION = """NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass
                      AND e.objid = c.oid AND e.deptype = 'e')"""


@probe("SE-03", "pg.public-table-grants", "No table, view or sequence is granted to PUBLIC",
       engines=PG, anchors=("DSP-17", "ref SE-04"),
       fix="REVOKE ALL ON ... FROM PUBLIC; grant to a group role instead.")
def public_table_grants(db, p):
    """relacl, readable by every role (information_schema would hide other roles' grants)."""
    rows = db.rows(f"""
        SELECT n.nspname || '.' || c.relname AS name, string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privs
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
             LATERAL pg_catalog.aclexplode(c.relacl) a
        WHERE a.grantee = 0 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {sf.SYSTEM_SCHEMAS} AND {_NOT_EXTENSION}
        GROUP BY 1 ORDER BY 1""")
    return [Finding(f"{r['name']} is granted to PUBLIC ({r['privs']})", location=f"{db.target.label} {r['name']}",
                    observed=f"PUBLIC: {r['privs']}", expected="grants to group roles only", severity="High")
            for r in rows]


@probe("SE-03", "pg.grant-option-holders", "Only owners can pass privileges on (no WITH GRANT OPTION)",
       engines=PG, anchors=("DSP-18", "ref SE-05"),
       fix="REVOKE GRANT OPTION FOR ... ON ... FROM role;")
def grant_option_holders(db, p):
    rows = db.rows(f"""
        SELECT n.nspname || '.' || c.relname AS name, coalesce(g.rolname, 'PUBLIC') AS grantee,
               string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privs
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace,
             LATERAL pg_catalog.aclexplode(c.relacl) a
        LEFT JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
        WHERE a.is_grantable AND a.grantee <> c.relowner AND NOT coalesce(g.rolsuper, false)
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {sf.SYSTEM_SCHEMAS} AND {_NOT_EXTENSION}
        GROUP BY 1, 2
        UNION ALL
        SELECT 'schema ' || n.nspname, coalesce(g.rolname, 'PUBLIC'), string_agg(a.privilege_type, ', ')
        FROM pg_catalog.pg_namespace n, LATERAL pg_catalog.aclexplode(n.nspacl) a
        LEFT JOIN pg_catalog.pg_roles g ON g.oid = a.grantee
        WHERE a.is_grantable AND a.grantee <> n.nspowner AND NOT coalesce(g.rolsuper, false) AND {sf.SYSTEM_SCHEMAS}
        GROUP BY 1, 2
        ORDER BY 1, 2""")
    return [Finding(f"{r['grantee']} holds {r['privs']} WITH GRANT OPTION on {r['name']}",
                    location=f"{db.target.label} {r['name']}", observed=f"{r['grantee']}: grant option",
                    expected="grant options only for owners") for r in rows]


@probe("SE-03", "pg.security-definer-search-path", "Every SECURITY DEFINER function pins its search_path",
       engines=PG, anchors=("DSP-19", "PD 4.5", "ref SE-06"),
       fix="ALTER FUNCTION ... SET search_path = pg_catalog, pg_temp; (and schema-qualify what it calls)")
def security_definer_search_path(db, p):
    """Without a pinned search_path, a caller can shadow the objects the function uses and run code as its owner."""
    rows = db.rows(f"""
        SELECT n.nspname || '.' || f.proname || '(' || pg_catalog.pg_get_function_identity_arguments(f.oid) || ')' AS name,
               pg_catalog.pg_get_userbyid(f.proowner) AS owner
        FROM pg_catalog.pg_proc f JOIN pg_catalog.pg_namespace n ON n.oid = f.pronamespace
        WHERE f.prosecdef AND {sf.SYSTEM_SCHEMAS}
          AND NOT EXISTS (SELECT 1 FROM unnest(f.proconfig) cfg WHERE cfg LIKE 'search\\_path=%')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_proc'::regclass
                          AND e.objid = f.oid AND e.deptype = 'e')
        ORDER BY 1""")
    return [Finding(f"SECURITY DEFINER function {r['name']} (owner {r['owner']}) has no search_path setting",
                    location=f"{db.target.label} {r['name']}", observed="search_path not set",
                    expected="SET search_path = pg_catalog, pg_temp", severity="High") for r in rows]


@probe("SE-03", "pg.bypassrls-roles", "No non-superuser role bypasses row-level security",
       engines=PG, anchors=("PD 4.7", "ref SE-22"), thresholds={"bypassrls_allowlist": []},
       fix="ALTER ROLE ... NOBYPASSRLS (or list the role in bypassrls_allowlist, e.g. a backup role).")
def bypassrls_roles(db, p):
    allowed = set(p.threshold("bypassrls_allowlist")) | sf.PLATFORM_ROLES
    rows = db.rows("SELECT rolname FROM pg_catalog.pg_roles WHERE rolbypassrls AND NOT rolsuper ORDER BY 1")
    return [Finding(f"role {r['rolname']} has BYPASSRLS", location=_role_loc(db, r["rolname"]), observed="BYPASSRLS",
                    expected="NOBYPASSRLS", severity="Medium") for r in rows if r["rolname"] not in allowed]


# ---------------------------------------------------------------------------------------------
# SE-04 Password hashing, complexity and rotation policies are enforced by the server
# ---------------------------------------------------------------------------------------------

@probe("SE-04", "pg.password-encryption", "New passwords are hashed with SCRAM-SHA-256, also per role and database",
       engines=PG, min_version=(10,), anchors=("PD 5.12", "DSP-07", "ref SE-08"),
       fix="password_encryption = 'scram-sha-256' in postgresql.conf; ALTER ROLE/DATABASE ... RESET "
           "password_encryption where it was overridden.")
def password_encryption(db, p):
    value = sf.settings(db).get("password_encryption")
    p.note(f"password_encryption = {value}")
    out = []
    if value != "scram-sha-256":
        out.append(Finding(f"password_encryption is {value}", observed=value, expected="scram-sha-256", severity="High"))
    for o in sf.overrides(db):
        if o["name"] == "password_encryption" and o["value"].lower() != "scram-sha-256":
            out.append(Finding(f"{sf.scope(o)} password_encryption = {o['value']}",
                               location=f"{db.target.label} {sf.scope(o)}", observed=o["value"],
                               expected="scram-sha-256", severity="High"))
    return out


@probe("SE-04", "pg.md5-verifiers", "No role's password is stored as an MD5 verifier",
       engines=PG, needs=("pg_authid",), anchors=("DSP-07", "PD 5.12", "ref SE-08"),
       fix="Reset the password of each listed role after setting password_encryption = 'scram-sha-256' "
           "(\\password in psql), then use scram-sha-256 in pg_hba.conf.")
def md5_verifiers(db, p):
    """md5 verifiers are unsalted per role beyond the name: a leaked pg_authid yields passwords quickly."""
    rows = db.rows("SELECT rolname, rolcanlogin FROM pg_catalog.pg_authid WHERE rolpassword LIKE 'md5%' ORDER BY 1")
    total = db.scalar("SELECT count(*) FROM pg_catalog.pg_authid WHERE rolpassword IS NOT NULL")
    p.note(f"{total} role(s) with a stored password, {len(rows)} as md5")
    return [Finding(f"role {r['rolname']} has an md5 password verifier", location=_role_loc(db, r["rolname"]),
                    observed="md5 hash", expected="SCRAM-SHA-256 verifier", severity="High") for r in rows]


@probe("SE-04", "pg.password-policy-module", "A password-policy module (credcheck or passwordcheck) is loaded",
       engines=PG, anchors=("PD 5.6", "ref SE-16"),
       fix="shared_preload_libraries = 'credcheck' (or 'passwordcheck') and restart; configure its rules.")
def password_policy_module(db, p):
    """credcheck registers credcheck.* settings (visible to all); passwordcheck has none, so deciding its
    absence needs shared_preload_libraries (pg_read_all_settings)."""
    if any(name.startswith("credcheck.") for name in sf.settings(db)):
        p.note("credcheck is loaded")
        return []
    libs = sf.preload_libraries(db)
    if libs is None:
        raise sf.undecided(p, "pg_read_all_settings", "credcheck is not loaded; whether passwordcheck is needs "
                                                      "shared_preload_libraries, hidden from this role")
    if libs & {"passwordcheck", "credcheck"}:
        p.note("loaded: " + ", ".join(sorted(libs & {"passwordcheck", "credcheck"})))
        return []
    if p.caps.platform:
        p.note(f"{p.caps.platform}: prefer the platform's IAM authentication for humans")
    return [Finding("no password-policy module is loaded (credcheck, passwordcheck)",
                    observed="shared_preload_libraries = " + (", ".join(sorted(libs)) or "(empty)"),
                    expected="credcheck or passwordcheck", severity="Medium")]


@probe("SE-04", "pg.authentication-timeout", "Unauthenticated connections are dropped quickly (authentication_timeout)",
       engines=PG, anchors=("PD 5.7", "ref SE-17"), thresholds={"authentication_timeout_max_s": 60},
       fix="authentication_timeout = '30s'; consider auth_delay or credcheck's auth delay against brute force.")
def authentication_timeout(db, p):
    value = int(sf.settings(db).get("authentication_timeout") or 60)
    limit = int(p.threshold("authentication_timeout_max_s"))
    p.note(f"authentication_timeout = {value} s")
    if value > limit:
        return [Finding(f"authentication_timeout is {value} s", observed=f"{value} s", expected=f"<= {limit} s",
                        severity="Low")]
    return []


# ---------------------------------------------------------------------------------------------
# SE-05 Data at rest is encrypted
# ---------------------------------------------------------------------------------------------

@probe("SE-05", "pg.encryption-at-rest", "Data at rest is encrypted (pg_tde), or the storage encryption is known",
       engines=PG, anchors=("PD 1.4.5", "PD 6.9", "ref SE-20"),
       fix="Encrypt the volume (LUKS, encrypted EBS/PD) or use a TDE build (pg_tde); on managed services enable "
           "storage encryption at creation.")
def encryption_at_rest(db, p):
    """PostgreSQL has no native TDE: SQL can see pg_tde only; volume encryption is outside its view."""
    ext = {r["extname"] for r in db.rows("SELECT extname FROM pg_catalog.pg_extension")}
    if "pg_tde" in ext:
        p.note("pg_tde is installed in this database")
        return []
    if "pgcrypto" in ext:
        p.note("pgcrypto is installed (column-level encryption is possible; not evidence of encryption at rest)")
    if p.caps.platform:
        raise Undecided(f"{p.caps.platform} encrypts storage per instance; read it from the IaC (static SE-05) or the "
                        "cloud API, it is not visible from SQL")
    raise Undecided("no pg_tde; whether the data volume is encrypted (LUKS, encrypted cloud disk) is not visible "
                    "from SQL: attest it or audit the IaC (static SE-05)")


# ---------------------------------------------------------------------------------------------
# SE-06 Connections are encrypted with TLS
# ---------------------------------------------------------------------------------------------

@probe("SE-06", "pg.ssl-enabled", "The server accepts TLS connections (ssl = on)",
       engines=PG, anchors=("DSP-11", "PD 6.8", "ref SE-14"),
       fix="ssl = on with ssl_cert_file/ssl_key_file (or the platform's force-SSL parameter).")
def ssl_enabled(db, p):
    value = sf.settings(db).get("ssl")
    p.note(f"ssl = {value}")
    if value != "on":
        return [Finding("the server has TLS switched off (ssl = off): every remote connection is clear text",
                        observed=f"ssl = {value}", expected="ssl = on", severity="High")]
    return []


@probe("SE-06", "pg.hba-cleartext-lines", "pg_hba.conf admits remote connections only over TLS (hostssl)",
       engines=PG, needs=("pg_hba_file_rules",), min_version=(10,), anchors=("DSP-15", "PD 5.8", "ref SE-14"),
       fix="Change host/hostnossl lines for non-loopback addresses to hostssl, and add a final 'host all all "
           "0.0.0.0/0 reject'.")
def hba_cleartext_lines(db, p):
    """host/hostnossl lines for non-loopback sources accept clear text (host also accepts TLS, but does not require it)."""
    out = []
    for r in sf.hba_rules(db):
        if r["error"]:
            p.note(f"{sf.hba_where(r)} has an error: {r['error']}")
            continue
        if r["type"] in ("host", "hostnossl") and r["auth_method"] != "reject" and not sf.is_loopback(r):
            out.append(Finding(f"{sf.hba_where(r)} admits clear-text connections: {sf.hba_text(r)}",
                               location=f"{db.target.label} {sf.hba_where(r)}", observed=r["type"],
                               expected="hostssl", severity="High"))
    return out


def _remote(addr: str | None) -> bool:
    import ipaddress

    if not addr:
        return False  # Unix socket
    try:
        return not ipaddress.ip_address(addr.split("/")[0]).is_loopback
    except ValueError:
        return True


@probe("SE-06", "pg.own-session-tls", "The audit's own connection is encrypted when it crosses the network",
       engines=PG, anchors=("ref SE-14",),
       fix="Connect with sslmode=verify-full (and make the server require TLS).")
def own_session_tls(db, p):
    r = db.rows("SELECT s.ssl, s.version, host(a.client_addr) AS addr FROM pg_catalog.pg_stat_ssl s "
                "JOIN pg_catalog.pg_stat_activity a USING (pid) WHERE s.pid = pg_catalog.pg_backend_pid()")[0]
    where = r["addr"] or "Unix socket"
    p.note(f"own session from {where}: " + (f"TLS {r['version']}" if r["ssl"] else "no TLS"))
    if not r["ssl"] and _remote(r["addr"]):
        return [Finding(f"this audit connected from {where} without TLS", observed="ssl = false", expected="TLS",
                        severity="High")]
    return []


@probe("SE-06", "pg.sessions-in-clear", "No client session crosses the network in clear text",
       engines=PG, needs=("pg_read_all_stats",), anchors=("ref SE-14", "MT"),
       fix="Require TLS (hostssl lines) and set sslmode=verify-full in the listed clients.")
def sessions_in_clear(db, p):
    """Other roles' client addresses and TLS state are hidden without pg_read_all_stats."""
    rows = db.rows("""
        SELECT a.usename, a.application_name, host(a.client_addr) AS addr, count(*) AS n
        FROM pg_catalog.pg_stat_activity a JOIN pg_catalog.pg_stat_ssl s USING (pid)
        WHERE a.client_addr IS NOT NULL AND NOT s.ssl AND a.backend_type = 'client backend'
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""")
    remote = [r for r in rows if _remote(r["addr"])]
    p.note(f"{sum(r['n'] for r in rows)} TCP session(s) without TLS, {sum(r['n'] for r in remote)} from non-loopback "
           "addresses")
    return [Finding(f"{r['n']} session(s) of {r['usename']} ({r['application_name'] or 'no application_name'}) from "
                    f"{r['addr']} without TLS", location=f"{db.target.label} role {r['usename']}",
                    observed="ssl = false", expected="TLS", severity="High") for r in remote]


_TLS_ORDER = {"tlsv1": 10, "tlsv1.1": 11, "tlsv1.2": 12, "tlsv1.3": 13}
_WEAK_CIPHER_TOKENS = ("NULL", "EXPORT", "EXP", "RC4", "DES", "3DES", "MD5", "ANULL", "ENULL", "ADH", "LOW")


@probe("SE-06", "pg.tls-protocol-ciphers", "TLS accepts no protocol older than the minimum and no weak ciphers",
       engines=PG, needs=("pg_read_all_settings",), min_version=(12,), anchors=("PD 6.8", "PD 6.10", "DSP-12", "ref SE-15"),
       fix="ssl_min_protocol_version = 'TLSv1.2' (or TLSv1.3); ssl_ciphers = 'HIGH:!aNULL:!MD5:!3DES:!RC4'.")
def tls_protocol_ciphers(db, p):
    s = sf.settings(db)
    if s.get("ssl") != "on":
        raise NotApplicable("TLS is off (reported by pg.ssl-enabled)")
    proto = s.get("ssl_min_protocol_version") or ""
    minimum = str(p.threshold("min_tls_version"))
    p.note(f"ssl_min_protocol_version = {proto}, ssl_ciphers = {s.get('ssl_ciphers')}")
    out = []
    if _TLS_ORDER.get(proto.lower(), 0) < _TLS_ORDER.get(minimum.lower(), 12):
        out.append(Finding(f"TLS versions below {minimum} are accepted (ssl_min_protocol_version = {proto})",
                           observed=proto, expected=f">= {minimum}", severity="Medium"))
    weak = []
    for token in (s.get("ssl_ciphers") or "").replace(",", ":").split(":"):
        t = token.strip().lstrip("+").upper()
        if t and not t.startswith(("!", "-")) and any(t == w or t.startswith(w + "-") or t.endswith("-" + w)
                                                      for w in _WEAK_CIPHER_TOKENS):
            weak.append(token.strip())
    if weak:
        out.append(Finding(f"ssl_ciphers enables weak ciphers: {', '.join(weak)}", observed=s.get("ssl_ciphers"),
                           expected="HIGH with !aNULL:!MD5:!3DES:!RC4 (PFS suites)", severity="Medium"))
    return out


# ---------------------------------------------------------------------------------------------
# SE-07 No account uses a default, empty or well-known password
# ---------------------------------------------------------------------------------------------

@probe("SE-07", "pg.weak-passwords-offline", "No stored password verifier matches the role name or a well-known password",
       engines=PG, needs=("pg_authid",), anchors=("ref SE-10", "MT (logins)", "DSM db-05", "CISMY 4.2"),
       thresholds={"extra_weak_passwords": [], "weak_password_budget_s": 30},
       fix="Set a long random password on each listed role (or ALTER ROLE ... NOLOGIN / PASSWORD NULL if unused).")
def weak_passwords_offline(db, p):
    """Recomputes md5 (md5(password || role)) and SCRAM-SHA-256 (PBKDF2 with the stored salt and iteration
    count) verifiers locally for each candidate. It never logs in, so it cannot lock accounts or
    inflate failed-login counters, and it never reports the hash or the matched password."""
    rows = db.rows("SELECT rolname, rolpassword FROM pg_catalog.pg_authid "
                   "WHERE rolcanlogin AND rolpassword IS NOT NULL ORDER BY rolname")
    extra = [str(x) for x in p.threshold("extra_weak_passwords")]
    budget = float(p.threshold("weak_password_budget_s"))
    start = time.monotonic()
    out, checked, skipped = [], 0, 0
    for r in rows:
        stored, role = r["rolpassword"], r["rolname"]
        if sf.verifier_kind(stored) not in ("md5", "scram-sha-256"):
            skipped += 1
            continue
        if time.monotonic() - start > budget or db.out_of_time():
            break
        checked += 1
        if any(sf.verifier_matches(stored, role, pw) for pw in sf.candidates(role, extra)):
            out.append(Finding(f"role {role} has a guessable password (its own name or a well-known default; "
                               f"matched offline against its {sf.verifier_kind(stored)} verifier)",
                               location=_role_loc(db, role), observed="guessable password",
                               expected="a long random password", severity="Critical"))
    n = len(sf.candidates("x", extra))
    p.note(f"{checked} of {len(rows)} password verifier(s) tested offline against ~{n} candidates each"
           + (f"; {skipped} in an unknown format" if skipped else ""))
    remaining = len(rows) - checked - skipped
    if remaining and not out:
        raise Undecided(f"the offline test stopped after {budget:g} s with {remaining} verifier(s) untested "
                        "(raise weak_password_budget_s)")
    return out


@probe("SE-07", "pg.passwordless-roles-trust", "No login role without a password is admitted by a trust line",
       engines=PG, needs=("pg_authid", "pg_hba_file_rules"), min_version=(10,), anchors=("DSP-06", "ref SE-09"),
       fix="Replace trust with scram-sha-256 (peer for local admin) in pg_hba.conf, and give the role a password "
           "or NOLOGIN.")
def passwordless_roles_trust(db, p):
    """A role with no password cannot pass password methods; what it can pass is trust, so the pair
    (no password, matching trust line) is the empty-password hole. Roles used only via peer/cert are
    fine and not listed."""
    roles = [r["rolname"] for r in db.rows("SELECT rolname FROM pg_catalog.pg_authid WHERE rolcanlogin "
                                           "AND rolpassword IS NULL ORDER BY 1")]
    trust = [r for r in sf.hba_rules(db) if not r["error"] and r["auth_method"] == "trust"]
    member = sf.memberships(db)
    p.note(f"{len(roles)} login role(s) without a password; {len(trust)} trust line(s) in pg_hba.conf")
    out = []
    for role in roles:
        lines = [r for r in trust if sf.user_matches(r["user_name"], role, member.get(role, set()))]
        if not lines:
            continue
        remote = [r for r in lines if r["type"] != "local" and not sf.is_loopback(r)]
        shown = remote or lines
        out.append(Finding(f"role {role} has no password and is admitted without one by "
                           + "; ".join(f"{sf.hba_where(r)} ({sf.hba_text(r)})" for r in shown[:3]),
                           location=_role_loc(db, role), observed="no password + trust",
                           expected="a password-based or identity-based method",
                           severity="Critical" if remote else "High"))
    return out


_WEAK_METHODS = {"trust": "Critical", "password": "Critical", "md5": "Medium", "ident": "Medium"}


@probe("SE-07", "pg.hba-weak-methods", "pg_hba.conf uses no trust, password, md5 or ident authentication",
       engines=PG, needs=("pg_hba_file_rules",), min_version=(10,), anchors=("PD 5.4", "DSP-13", "DSP-14", "ref SE-13"),
       fix="Use scram-sha-256 for host lines and peer for local lines; remove trust and password.")
def hba_weak_methods(db, p):
    out = []
    rules = sf.hba_rules(db)
    for r in rules:
        if r["error"]:
            p.note(f"{sf.hba_where(r)} has an error and is ignored by the server: {r['error']}")
            continue
        sev = _WEAK_METHODS.get(r["auth_method"])
        if sev:
            out.append(Finding(f"{sf.hba_where(r)} uses {r['auth_method']}: {sf.hba_text(r)}",
                               location=f"{db.target.label} {sf.hba_where(r)}", observed=r["auth_method"],
                               expected="scram-sha-256 (host) / peer (local)", severity=sev))
    p.note(f"{len(rules)} pg_hba.conf line(s) read")
    return out


# ---------------------------------------------------------------------------------------------
# SE-08 Connections, privileged actions and DDL are audit-logged
# ---------------------------------------------------------------------------------------------

def _off_overrides(db, names: tuple[str, ...], bad) -> list[Finding]:
    return [Finding(f"{sf.scope(o)} {o['name']} = {o['value']}", location=f"{db.target.label} {sf.scope(o)}",
                    observed=o["value"], expected="no override that turns logging off")
            for o in sf.overrides(db) if o["name"] in names and bad(o["name"], o["value"].lower())]


@probe("SE-08", "pg.connection-logging", "Connections and disconnections are logged",
       engines=PG, anchors=("PD 3.1.20", "PD 3.1.21", "DSP-16", "ref SE-19"),
       fix="log_connections = on and log_disconnections = on (and a log_line_prefix with %m %u %d %a %h).")
def connection_logging(db, p):
    s = sf.settings(db)
    out = [Finding(f"{name} is off", observed=f"{name} = {s.get(name)}", expected="on")
           for name in ("log_connections", "log_disconnections") if s.get(name) != "on"]
    p.note(f"log_connections = {s.get('log_connections')}, log_disconnections = {s.get('log_disconnections')}")
    return out + _off_overrides(db, ("log_connections", "log_disconnections"), lambda n, v: v in ("off", "false", "0"))


_STATEMENT_LEVEL = {"none": 0, "ddl": 1, "mod": 2, "all": 3}


@probe("SE-08", "pg.ddl-audit", "DDL and role changes are logged (log_statement >= ddl or pgaudit)",
       engines=PG, anchors=("PD 3.1.25", "PD 3.2", "ref SE-19"),
       fix="log_statement = 'ddl', or pgaudit in shared_preload_libraries with pgaudit.log = 'ddl, role'.")
def ddl_audit(db, p):
    """pgaudit's settings exist only when the library is loaded, so pg_settings shows pgaudit without
    needing shared_preload_libraries."""
    s = sf.settings(db)
    stmt = s.get("log_statement", "none")
    audit = s.get("pgaudit.log")
    p.note(f"log_statement = {stmt}; pgaudit " + (f"loaded, pgaudit.log = {audit}" if audit is not None else "not loaded"))
    out = []
    pgaudit_on = audit is not None and audit.strip().lower() not in ("", "none")
    if not pgaudit_on and _STATEMENT_LEVEL.get(stmt, 0) < 1:
        out.append(Finding("DDL is not logged: log_statement = none and pgaudit is not "
                           + ("configured (pgaudit.log = none)" if audit is not None else "loaded"),
                           observed=f"log_statement = {stmt}", expected="log_statement = ddl or pgaudit.log = 'ddl, role'"))
    return out + _off_overrides(db, ("log_statement", "pgaudit.log"),
                                lambda n, v: (v == "none") if n == "log_statement" else v in ("", "none"))


@probe("SE-08", "pg.log-secrets", "Logs do not record bind values or statement texts that carry secrets",
       engines=PG, min_version=(13,), anchors=("PD 3.1.16-18", "CISMY 6.4", "ref SE-23"),
       thresholds={"log_parameter_max_bytes": 64},
       fix="log_statement = 'ddl' (not 'all'/'mod'), log_parameter_max_length = 0 (or small), debug_print_* = off.")
def log_secrets(db, p):
    """log_statement all/mod and log_min_duration_statement = 0 write every statement, with its bind values
    up to log_parameter_max_length (-1 = unlimited): passwords and tokens end in plain log files."""
    s = sf.settings(db)
    limit = int(p.threshold("log_parameter_max_bytes"))
    param_len = int(s.get("log_parameter_max_length", "-1"))
    params_logged = param_len < 0 or param_len > limit
    out = []

    def check(where: str, name: str, value: str, location: str = "") -> None:
        if name == "log_statement" and value in ("all", "mod"):
            logs = f"log_statement = {value}"
        elif name == "log_min_duration_statement" and value.strip() in ("0", "0ms"):
            logs = "log_min_duration_statement = 0"
        else:
            return
        if params_logged:
            out.append(Finding(f"{where}{logs} with log_parameter_max_length = {param_len}: statements and their bind "
                               "values (passwords, tokens) are written to the log", location=location,
                               observed=logs, expected=f"log_parameter_max_length <= {limit}, or log_statement = ddl",
                               severity="Medium"))

    for name in ("log_statement", "log_min_duration_statement"):
        check("", name, s.get(name, ""))
    for o in sf.overrides(db):
        check(f"{sf.scope(o)} ", o["name"], o["value"].lower(), f"{db.target.label} {sf.scope(o)}")
    for name in ("debug_print_parse", "debug_print_rewritten", "debug_print_plan"):
        if s.get(name) == "on":
            out.append(Finding(f"{name} is on: query trees with literal values go to the log", observed="on",
                               expected="off", severity="Medium"))
    p.note(f"log_statement = {s.get('log_statement')}, log_min_duration_statement = "
           f"{s.get('log_min_duration_statement')}, log_parameter_max_length = {param_len}")
    return out


# ---------------------------------------------------------------------------------------------
# SE-09 / SE-10 Network exposure in pg_hba.conf
# ---------------------------------------------------------------------------------------------

@probe("SE-09", "pg.hba-open-networks", "pg_hba.conf admits no connections from anywhere or from huge ranges",
       engines=PG, needs=("pg_hba_file_rules",), min_version=(10,), anchors=("PD 5.9", "PD 5.10", "ref SE-12"),
       thresholds={"max_hba_addresses": 65536},
       fix="Replace 0.0.0.0/0, ::/0 and 'all' addresses with the application subnets (a /24 or the pods' CIDR).")
def hba_open_networks(db, p):
    limit = int(p.threshold("max_hba_addresses"))
    out = []
    for r in sf.hba_rules(db):
        if r["error"] or r["type"] == "local" or r["auth_method"] == "reject":
            continue
        net = sf.network(r)
        text = sf.hba_text(r)
        loc = f"{db.target.label} {sf.hba_where(r)}"
        if r["address"] == "all" or (net is not None and net.prefixlen == 0):
            out.append(Finding(f"{sf.hba_where(r)} admits connections from any address: {text}", location=loc,
                               observed=str(net or "all"), expected="private application subnets", severity="Critical"))
        elif net is not None and net.num_addresses > limit:
            out.append(Finding(f"{sf.hba_where(r)} admits {net.num_addresses} addresses ({net}): {text}", location=loc,
                               observed=str(net), expected=f"at most {limit} addresses per line", severity="Medium"))
        elif r["address"] == "samenet":
            p.note(f"{sf.hba_where(r)} uses samenet: as wide as the server's subnets")
        elif net is not None and net.version == 4 and not net.is_private and not net.network_address.is_loopback:
            out.append(Finding(f"{sf.hba_where(r)} admits a public address range {net}: {text}", location=loc,
                               observed=str(net), expected="private address ranges", severity="High"))
    return out


@probe("SE-10", "pg.hba-superuser-remote", "Superusers can connect only from loopback or listed admin networks",
       engines=PG, needs=("pg_hba_file_rules",), min_version=(10,), anchors=("PD 5.11", "CISPG 5", "ref SE-12"),
       thresholds={"admin_source_networks": []},
       fix="Restrict lines admitting superusers (user 'all' included) to the bastion/VPN CIDR, listed in "
           "admin_source_networks; add 'host all postgres 0.0.0.0/0 reject' before broader lines.")
def hba_superuser_remote(db, p):
    """A line admits superusers when its user column is 'all', names a superuser, or +a group one belongs to.
    The first matching line decides, so reject lines earlier for superusers are honoured per user."""
    import ipaddress

    allowed = []
    for cidr in p.threshold("admin_source_networks"):
        allowed.append(ipaddress.ip_network(str(cidr), strict=False))
    supers = [r["rolname"] for r in db.rows("SELECT rolname FROM pg_catalog.pg_roles WHERE rolsuper AND rolcanlogin "
                                            "ORDER BY 1") if r["rolname"] not in sf.PLATFORM_ROLES]
    member = sf.memberships(db)
    out = []
    for r in sf.hba_rules(db):
        if r["error"] or r["type"] == "local" or r["auth_method"] == "reject" or sf.is_loopback(r):
            continue
        net = sf.network(r)
        if net is not None and any(net.version == a.version and net.subnet_of(a) for a in allowed):
            continue
        who = [s for s in supers if sf.user_matches(r["user_name"], s, member.get(s, set()))]
        if not who:
            continue
        where = str(net) if net is not None else (r["address"] or "?")
        if net is None and r["address"] not in ("all", "samenet"):
            p.note(f"{sf.hba_where(r)} admits superusers from host name {r['address']}")
            continue
        out.append(Finding(f"{sf.hba_where(r)} admits superuser(s) {', '.join(who)} from {where}: {sf.hba_text(r)}",
                           location=f"{db.target.label} {sf.hba_where(r)}", observed=where,
                           expected="loopback or admin_source_networks", severity="Critical"))
    p.note(f"superuser login roles: {', '.join(supers) or 'none'}")
    return out


# ---------------------------------------------------------------------------------------------
# SE-13 Access expires / SE-14 row-level security
# ---------------------------------------------------------------------------------------------

@probe("SE-13", "pg.password-expiry", "Password login roles have an expiry (VALID UNTIL)",
       engines=PG, needs=("pg_authid",), anchors=("PD 4.4", "ref SE-16"),
       thresholds={"expiry_exempt_roles": [], "max_password_validity_days": 366},
       fix="ALTER ROLE ... VALID UNTIL '<date>' for human logins (and rotate service passwords through a secret "
           "manager); list service accounts rotated elsewhere in expiry_exempt_roles.")
def password_expiry(db, p):
    exempt = set(p.threshold("expiry_exempt_roles")) | sf.PLATFORM_ROLES
    days = int(p.threshold("max_password_validity_days"))
    rows = db.rows("""
        SELECT rolname, rolvaliduntil IS NULL OR rolvaliduntil = 'infinity' AS never,
               rolvaliduntil > now() + make_interval(days => :days) AS too_far
        FROM pg_catalog.pg_authid
        WHERE rolcanlogin AND NOT rolsuper AND rolpassword IS NOT NULL ORDER BY 1""", days=days)
    out = []
    for r in rows:
        if r["rolname"] in exempt or not (r["never"] or r["too_far"]):
            continue
        out.append(Finding(f"role {r['rolname']} has a password that " + ("never expires" if r["never"] else
                                                                         f"is valid for more than {days} days"),
                           location=_role_loc(db, r["rolname"]),
                           observed="VALID UNTIL infinity" if r["never"] else f"VALID UNTIL > {days} days",
                           expected=f"VALID UNTIL within {days} days", severity="Low"))
    p.note(f"{len(rows)} non-superuser role(s) with a password")
    return out


@probe("SE-14", "pg.rls-policies-disabled", "Tables with row-level security policies have RLS enabled",
       engines=PG, anchors=("PD 4.7", "ref SE-22"),
       fix="ALTER TABLE ... ENABLE ROW LEVEL SECURITY (and FORCE ROW LEVEL SECURITY if the owner must obey it).")
def rls_policies_disabled(db, p):
    """Policies on a table without relrowsecurity do nothing: the table looks protected and is not."""
    rows = db.rows(f"""
        SELECT n.nspname || '.' || c.relname AS name, count(*) AS policies
        FROM pg_catalog.pg_policy pol JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT c.relrowsecurity AND {sf.SYSTEM_SCHEMAS} GROUP BY 1 ORDER BY 1""")
    on = db.scalar("SELECT count(*) FROM pg_catalog.pg_class WHERE relrowsecurity")
    p.note(f"{on} table(s) with row-level security enabled")
    return [Finding(f"table {r['name']} has {r['policies']} RLS polic(ies) but row-level security is disabled",
                    location=f"{db.target.label} {r['name']}", observed="relrowsecurity = false",
                    expected="ENABLE ROW LEVEL SECURITY") for r in rows]
