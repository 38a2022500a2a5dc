"""PostgreSQL security probes against the local server: a known-bad and a known-good setup.

Roles are cluster-wide, so every role has a unique suffix and is dropped afterwards; cluster-wide
probes are asserted by which roles they name (the bad ones, never the good one). pg_hba.conf and
ssl are server-wide: their verdicts are compared with what the server really has.
"""

from __future__ import annotations

import ipaddress
import json
import uuid
from pathlib import Path

import pytest

from pytest_dbaudit.audit import Audit, Options
from pytest_dbaudit.live.probe import probes_of
from pytest_dbaudit.targets import live_target

STRONG = "Gd-7v!qXr2#mZp9$Lw4"  # the good role's password: must never appear in any output
KNOWN = "trustno1"  # a well-known password planted on one role: must never appear in any output
ITEMS = ["SE-01", "SE-02", "SE-03", "SE-04", "SE-05", "SE-06", "SE-07", "SE-08", "SE-09", "SE-10", "SE-13", "SE-14"]
PRIVILEGED_NEEDS = {"pg_authid", "pg_hba_file_rules", "pg_read_all_stats", "pg_read_all_settings"}


def _url(admin_url: str, user: str, db: str, password: str | None = None) -> str:
    host = admin_url.split("@", 1)[1].rsplit("/", 1)[0]
    cred = f"{user}:{password}" if password else user
    return f"postgresql://{cred}@{host}/{db}"


@pytest.fixture(scope="module")
def sec(postgres_admin_url, tmp_path_factory):
    """Two databases (bad, good) and the roles of a known-bad and a known-good setup."""
    import sqlalchemy as sa

    s = uuid.uuid4().hex[:8]
    r = {k: f"dbaudit_sec_{k}_{s}" for k in ("bad", "md5", "pw", "known", "rls", "files", "good", "ro", "grantee")}
    bad_db, good_db = f"dbaudit_sec_bad_{s}", f"dbaudit_sec_good_{s}"
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")

    def in_db(name: str, *stmts: str) -> None:
        eng = sa.create_engine(postgres_admin_url.rsplit("/", 1)[0] + f"/{name}", isolation_level="AUTOCOMMIT")
        with eng.connect() as conn:
            for st in stmts:
                conn.exec_driver_sql(st)
        eng.dispose()

    try:
        with admin.connect() as conn:
            for st in (
                f"CREATE DATABASE {bad_db}", f"CREATE DATABASE {good_db}",
                f"CREATE ROLE {r['bad']} LOGIN SUPERUSER",  # the application connecting as a superuser
                "SET password_encryption = 'md5'",
                f"CREATE ROLE {r['md5']} LOGIN PASSWORD '{r['md5']}'",  # md5 verifier, password = user name
                "RESET password_encryption",
                f"CREATE ROLE {r['pw']} LOGIN PASSWORD 'password'",  # SCRAM, well-known password
                f"CREATE ROLE {r['known']} LOGIN PASSWORD '{KNOWN}'",
                f"CREATE ROLE {r['rls']} LOGIN BYPASSRLS",
                f"CREATE ROLE {r['files']} NOLOGIN",
                f"GRANT pg_write_server_files TO {r['files']}",
                f"CREATE ROLE {r['grantee']} NOLOGIN",
                # the good twin: least privilege, strong SCRAM password, a connection limit and an expiry
                f"CREATE ROLE {r['good']} LOGIN PASSWORD '{STRONG}' CONNECTION LIMIT 10 "
                "VALID UNTIL '" + _in_days(90) + "'",
                f"CREATE ROLE {r['ro']} LOGIN",  # CONNECT only (PUBLIC's default)
                f"ALTER DATABASE {bad_db} SET password_encryption = 'md5'",
                f"ALTER DATABASE {bad_db} SET log_statement = 'all'",
                f"ALTER ROLE {r['bad']} IN DATABASE {bad_db} SET log_statement = 'none'",
                f"ALTER DATABASE {good_db} SET log_statement = 'ddl'",
            ):
                conn.exec_driver_sql(st)
        in_db(bad_db,
              "CREATE TABLE public.orders (id int PRIMARY KEY, note text)",
              "GRANT SELECT ON public.orders TO PUBLIC",
              "CREATE POLICY orders_mine ON public.orders USING (true)",  # a policy, RLS never enabled
              "CREATE TABLE public.items (id int PRIMARY KEY)",
              f"GRANT SELECT ON public.items TO {r['grantee']} WITH GRANT OPTION",
              f"ALTER TABLE public.items OWNER TO {r['bad']}",
              "CREATE FUNCTION public.definer() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'",
              "GRANT CREATE ON SCHEMA public TO PUBLIC",
              "CREATE FUNCTION public.fake_handler() RETURNS language_handler "
              "AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE c",
              "CREATE LANGUAGE plfake HANDLER public.fake_handler",  # untrusted: no TRUSTED keyword
              "CREATE EXTENSION dblink")
        in_db(good_db,
              "CREATE SCHEMA app",
              "CREATE TABLE app.orders (id int PRIMARY KEY, note text)",
              "CREATE FUNCTION app.definer() RETURNS int LANGUAGE sql SECURITY DEFINER "
              "SET search_path = pg_catalog, pg_temp AS 'SELECT 1'",
              f"GRANT USAGE ON SCHEMA app TO {r['good']}",
              f"GRANT SELECT, INSERT, UPDATE, DELETE ON app.orders TO {r['good']}",
              "ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY",
              "CREATE POLICY orders_all ON app.orders USING (true)")
        with admin.connect() as conn:
            hba = [dict(x._mapping) for x in conn.exec_driver_sql("SELECT * FROM pg_catalog.pg_hba_file_rules")]
            ssl = conn.exec_driver_sql("SHOW ssl").scalar()
            md5_hash = conn.exec_driver_sql(f"SELECT rolpassword FROM pg_authid WHERE rolname = '{r['md5']}'").scalar()
            scram = conn.exec_driver_sql(f"SELECT rolpassword FROM pg_authid WHERE rolname = '{r['known']}'").scalar()
            settings = dict(conn.exec_driver_sql("SELECT name, setting FROM pg_settings").all())
        yield {"roles": r, "bad_db": bad_db, "good_db": good_db, "admin_url": postgres_admin_url, "hba": hba,
               "ssl": ssl, "hashes": [md5_hash, scram], "settings": settings,
               "dir": tmp_path_factory.mktemp("pgsec")}
    finally:
        with admin.connect() as conn:
            for name in (bad_db, good_db):
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            for role in r.values():
                if conn.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{role}'").scalar():
                    conn.exec_driver_sql(f"DROP OWNED BY {role}")
                    conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


def _in_days(n: int) -> str:
    import datetime as dt

    return (dt.date.today() + dt.timedelta(days=n)).isoformat()


def _audit(sec, url: str) -> dict:
    """Run the SE items' live tests through the real Audit path; {item: Result}."""
    d = sec["dir"]
    a = Audit(Options(repo=d, rootdir=d, dbs=[url]))
    try:
        t = a.live_targets[0]
        return {i: a.run(a.catalog.items[i], "live", t)[0] for i in ITEMS}
    finally:
        a.close()


def _parts(results: dict) -> dict:
    return {p["probe"]: p for res in results.values() for p in res.parts}


def _named(results: dict, item: str, probe_title_fragment: str = "") -> str:
    return "\n".join(f"{f.location} | {f.message}" for f in results[item].findings
                     if probe_title_fragment in f.message)


@pytest.fixture(scope="module")
def bad_run(sec):
    r = sec["roles"]
    return _audit(sec, _url(sec["admin_url"], r["bad"], sec["bad_db"]))


@pytest.fixture(scope="module")
def good_run(sec):
    r = sec["roles"]
    return _audit(sec, _url(sec["admin_url"], r["good"], sec["good_db"], STRONG))


def test_bad_app_role_is_found(sec, bad_run):
    r, parts = sec["roles"], _parts(bad_run)
    assert bad_run["SE-01"].outcome.value == "fail"
    msgs = [f.message for f in bad_run["SE-01"].findings]
    assert f"the connected role {r['bad']} has SUPERUSER" in msgs
    assert [f.severity for f in bad_run["SE-01"].findings if f.message.endswith("has SUPERUSER")] == ["Critical"]
    assert any(f"role {r['files']} is a member of pg_write_server_files" == m for m in msgs)
    assert "untrusted language plfake is installed" in "\n".join(msgs)
    assert "extension dblink is installed" in "\n".join(msgs)
    for probe in ("pg.app-role-attributes", "pg.server-file-roles", "pg.untrusted-languages", "pg.dangerous-extensions",
                  "pg.app-role-owns-objects", "pg.app-role-create-privileges", "pg.public-schema-create",
                  "pg.public-table-grants", "pg.grant-option-holders", "pg.security-definer-search-path",
                  "pg.bypassrls-roles", "pg.password-encryption", "pg.md5-verifiers", "pg.weak-passwords-offline",
                  "pg.ddl-audit", "pg.log-secrets", "pg.rls-policies-disabled", "pg.superuser-count"):
        assert parts[probe]["outcome"] == "fail", (probe, parts[probe])
    se02 = "\n".join(f.message for f in bad_run["SE-02"].findings)
    assert f"{r['bad']} owns 1 relation(s)" in se02 and f"{r['bad']} has CREATE on schema public" in se02
    se03 = "\n".join(f.message for f in bad_run["SE-03"].findings)
    assert "public.orders is granted to PUBLIC (SELECT)" in se03
    assert "PUBLIC has CREATE on schema public" in se03
    assert f"{r['grantee']} holds SELECT WITH GRANT OPTION on public.items" in se03
    assert "SECURITY DEFINER function public.definer() " in se03
    assert f"role {r['rls']} has BYPASSRLS" in se03 and f"role {r['bad']} is a superuser" in se03
    assert r["good"] not in se03
    se04 = "\n".join(f.message for f in bad_run["SE-04"].findings)
    assert f"ALTER DATABASE {sec['bad_db']} SET password_encryption = md5" in se04
    assert f"role {r['md5']} has an md5 password verifier" in se04 and r["good"] not in se04
    se08 = "\n".join(f.message for f in bad_run["SE-08"].findings)
    assert f"ALTER ROLE {r['bad']} IN DATABASE {sec['bad_db']} SET log_statement = none" in se08
    assert f"ALTER DATABASE {sec['bad_db']} SET log_statement = all with log_parameter_max_length = -1" in se08
    assert "public.orders has 1 RLS polic(ies) but row-level security is disabled" in bad_run["SE-14"].findings[0].message
    assert bad_run["SE-05"].outcome.value == "unknown" and "not visible from SQL" in bad_run["SE-05"].reason


def test_offline_weak_passwords_find_the_weak_and_not_the_strong(sec, bad_run):
    r = sec["roles"]
    weak = {f.location.rsplit(" ", 1)[-1] for f in bad_run["SE-07"].findings if "guessable password" in f.message}
    assert {r["md5"], r["pw"], r["known"]} <= weak
    assert r["good"] not in weak
    part = _parts(bad_run)["pg.weak-passwords-offline"]
    assert part["outcome"] == "fail"
    expiring = {f.location.rsplit(" ", 1)[-1] for f in bad_run["SE-13"].findings}
    assert {r["md5"], r["pw"], r["known"]} <= expiring and r["good"] not in expiring


def test_good_twin_passes_what_it_controls(sec, good_run):
    parts = _parts(good_run)
    for probe in ("pg.app-role-attributes", "pg.app-role-predefined-roles", "pg.untrusted-languages",
                  "pg.dangerous-extensions", "pg.app-role-owns-objects", "pg.app-role-create-privileges",
                  "pg.app-role-connection-limit", "pg.public-schema-create", "pg.public-table-grants",
                  "pg.grant-option-holders", "pg.security-definer-search-path", "pg.password-encryption",
                  "pg.ddl-audit", "pg.log-secrets", "pg.rls-policies-disabled", "pg.own-session-tls"):
        assert parts[probe]["outcome"] == "pass", (probe, parts[probe])
    mine = [p["outcome"] for p in good_run["SE-02"].parts if p["probe"].startswith("pg.app-role-")]
    assert mine == ["pass", "pass", "pass"]
    assert good_run["SE-14"].outcome.value == "pass"
    # the good role cannot read pg_authid: the offline password test is unknown, never a pass
    assert parts["pg.weak-passwords-offline"]["outcome"] == "unknown"
    assert "GRANT SELECT ON pg_catalog.pg_authid" in parts["pg.weak-passwords-offline"]["grant"]


def test_server_wide_verdicts_match_the_real_server(sec, bad_run):
    parts = _parts(bad_run)
    assert parts["pg.ssl-enabled"]["outcome"] == ("pass" if sec["ssl"] == "on" else "fail")
    rules = [h for h in sec["hba"] if not h["error"]]
    weak = [h for h in rules if h["auth_method"] in ("trust", "password", "md5", "ident")]
    weak_found = [f for f in bad_run["SE-07"].findings if "pg_hba.conf line" in f.location]
    assert sorted(f.location.rsplit(" ", 1)[-1] for f in weak_found) == sorted(str(h["line_number"]) for h in weak)

    def net(h):
        if h["type"] == "local" or not h["address"] or h["auth_method"] == "reject":
            return None
        if h["address"] == "all":
            return ipaddress.ip_network("0.0.0.0/0")
        try:
            return ipaddress.ip_network(f"{h['address']}/{h['netmask']}", strict=False)
        except ValueError:
            return None

    nets = [(h, net(h)) for h in rules]
    exposed = {str(h["line_number"]) for h, n in nets if n is not None and (
        n.prefixlen == 0 or n.num_addresses > 65536 or (n.version == 4 and not n.is_private and not n.is_loopback))}
    found = {f.location.rsplit(" ", 1)[-1] for f in bad_run["SE-09"].findings}
    assert found == exposed
    assert bad_run["SE-09"].outcome.value == ("fail" if exposed else "pass")
    clear = {str(h["line_number"]) for h, n in nets if h["type"] in ("host", "hostnossl") and n is not None
             and not (n.network_address.is_loopback and n.broadcast_address.is_loopback)}
    assert parts["pg.hba-cleartext-lines"]["outcome"] == ("fail" if clear else "pass")
    s = sec["settings"]
    logging_on = s["log_connections"] == "on" and s["log_disconnections"] == "on"
    assert parts["pg.connection-logging"]["outcome"] == ("pass" if logging_on else "fail")
    assert parts["pg.authentication-timeout"]["outcome"] == ("pass" if int(s["authentication_timeout"]) <= 60 else "fail")
    policy = {"passwordcheck", "credcheck"} & {x.strip() for x in s["shared_preload_libraries"].split(",")}
    assert parts["pg.password-policy-module"]["outcome"] == ("pass" if policy else "fail")


def test_connect_only_role_gets_unknown_with_grants_never_pass(sec):
    r = sec["roles"]
    results = _audit(sec, _url(sec["admin_url"], r["ro"], sec["good_db"]))
    parts = _parts(results)
    gated = [p.id for item in ITEMS for p in probes_of(item)
             if PRIVILEGED_NEEDS & set(p.needs) and "postgresql" in p.flavors]
    assert len(gated) >= 8
    for pid in gated:
        assert parts[pid]["outcome"] == "unknown", (pid, parts[pid])
        assert parts[pid].get("grant", "").startswith("GRANT "), (pid, parts[pid])
    # a need on one branch only: credcheck is not loaded, passwordcheck hides in shared_preload_libraries
    if not sec["settings"]["shared_preload_libraries"]:
        assert parts["pg.password-policy-module"]["outcome"] == "unknown"
        assert "GRANT pg_read_all_settings" in parts["pg.password-policy-module"]["grant"]
    # an item decided only by gated probes is unknown and names the GRANTs
    assert results["SE-09"].outcome.value == "unknown" and "pg_hba_file_rules" in results["SE-09"].reason


def test_end_to_end_no_password_or_hash_in_any_output(sec, pytester, audit):
    """Through pytest --dbaudit as the admin (who can read pg_authid): weak roles reported, secrets absent."""
    r = sec["roles"]
    url = _url(sec["admin_url"], "postgres", sec["bad_db"])
    run = audit("--dbaudit-db", url, "-m", "dbaudit_live", "-k", "SE-07 or SE-04 or SE-13")
    item = run.item(f"SE-07[{live_target(url).label}]")
    assert item["outcome"] == "fail"
    text = json.dumps(item)
    for role in ("md5", "pw", "known"):
        assert f"role {r[role]} has a guessable password" in text
    assert r["good"] not in text
    parts = {p["probe"]: p["outcome"] for p in item["parts"]}
    assert parts["pg.weak-passwords-offline"] == "fail"
    outputs = {"terminal": run.text, "json": (pytester.path / "out" / "report.json").read_text(),
               "junit": (pytester.path / "out" / "junit.xml").read_text()}
    for where, out in outputs.items():
        assert KNOWN not in out, where
        assert STRONG not in out, where
        for h in sec["hashes"]:
            assert h and h not in out, where
        assert "SCRAM-SHA-256$" not in out, where


def test_verifier_maths_matches_postgres(sec):
    """The offline recomputation agrees with the server's own verifiers (and rejects a wrong guess)."""
    from pytest_dbaudit.live.postgres.secfacts import verifier_matches

    md5_hash, scram = sec["hashes"]
    r = sec["roles"]
    assert verifier_matches(md5_hash, r["md5"], r["md5"]) and not verifier_matches(md5_hash, r["md5"], "postgres")
    assert verifier_matches(scram, r["known"], KNOWN) and not verifier_matches(scram, r["known"], "password")


def test_probe_ids_and_anchors_are_declared():
    ids = [p.id for item in ITEMS for p in probes_of(item) if "postgresql" in p.flavors and p.id.startswith("pg.")
           and p.fn.__module__.endswith("postgres.security")]
    assert len(ids) >= 25 and len(ids) == len(set(ids))
    assert Path(__file__).exists()
