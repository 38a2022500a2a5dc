"""The zero-downtime SQL rules: one flagged and one clean sample per rule, suppressions, server
versions, migration scoping and syntax-error resilience."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pytest_dbaudit.sqlrules import lint, rules
from pytest_dbaudit.sqlrules.docs import render

SAMPLES = Path(__file__).parent / "data" / "sql"
REPO = Path(__file__).resolve().parents[1]
DIALECTS = ("postgresql", "mysql")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def sample_options(rule_dir: Path, rule_id: str, dialect: str) -> dict:
    """lint() keyword arguments for a rule's samples: options.json, plus enabling an opt-in rule."""
    opts = json.loads((rule_dir / "options.json").read_text()) if (rule_dir / "options.json").exists() else {}
    kwargs = {"dialect": dialect, "path": f"{dialect}/{rule_id}"}
    if opts.get("server_version"):
        kwargs["server_version"] = tuple(opts["server_version"])
    if opts.get("assume_in_transaction"):
        kwargs["assume_in_transaction"] = True
    rule = next(r for r in rules(dialect) if r.id == rule_id)
    if not rule.default:
        kwargs["enable"] = (rule_id,)
    return kwargs


def _cases():
    return [(d, r.id) for d in DIALECTS for r in rules(d)]


def _ids(report, rule_id=None):
    return [v.rule for v in report.violations if rule_id is None or v.rule == rule_id]


# -- every rule has a flagged and a clean sample ---------------------------------------------------

@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_rule_has_both_samples_and_no_sample_is_orphaned(dialect):
    ids = {r.id for r in rules(dialect)}
    missing = sorted(i for i in ids for name in ("flagged.sql", "clean.sql")
                     if not (SAMPLES / dialect / i / name).is_file())
    assert not missing, f"rules without a sample: {missing}"
    orphans = sorted({p.name for p in (SAMPLES / dialect).iterdir() if p.is_dir()} - ids)
    assert not orphans, f"sample folders for rules that do not exist: {orphans}"


@pytest.mark.parametrize("dialect,rule_id", _cases())
def test_flagged_sample_is_flagged_by_its_rule(dialect, rule_id):
    d = SAMPLES / dialect / rule_id
    report = lint((d / "flagged.sql").read_text(), **sample_options(d, rule_id, dialect))
    assert rule_id in report.rule_ids, [(v.rule, v.message) for v in report.violations]
    assert not report.errors, report.errors
    for v in report.by_rule(rule_id):
        assert v.line >= 1 and v.statement and v.message and v.fix and v.severity and v.anchor


@pytest.mark.parametrize("dialect,rule_id", _cases())
def test_clean_sample_is_not_flagged_by_its_rule(dialect, rule_id):
    d = SAMPLES / dialect / rule_id
    report = lint((d / "clean.sql").read_text(), **sample_options(d, rule_id, dialect))
    assert rule_id not in report.rule_ids, [(v.line, v.message) for v in report.by_rule(rule_id)]
    assert not report.errors, report.errors


# -- the registry ----------------------------------------------------------------------------------

SQUAWK_2_63 = [
    "adding-field-with-default", "adding-foreign-key-constraint", "adding-not-nullable-field",
    "adding-required-field", "adding-serial-primary-key-field", "ban-alter-domain-with-add-constraint",
    "ban-char-field", "ban-concurrent-index-creation-in-transaction", "ban-create-domain-with-constraint",
    "ban-drop-column", "ban-drop-database", "ban-drop-not-null", "ban-drop-table", "ban-duplicate-column-assignments",
    "ban-truncate-cascade", "ban-uncommitted-transaction", "changing-column-type", "constraint-missing-not-valid",
    "disallowed-unique-constraint", "identifier-too-long", "prefer-bigint-over-int", "prefer-bigint-over-smallint",
    "prefer-identity", "prefer-repack", "prefer-robust-stmts", "prefer-text-field", "prefer-timestamptz",
    "renaming-column", "renaming-table", "require-concurrent-index-creation", "require-concurrent-index-deletion",
    "require-concurrent-partition-detach", "require-concurrent-reindex", "require-enum-value-ordering",
    "require-lock-timeout", "require-statement-timeout", "require-table-schema", "transaction-nesting",
    "unused-ignore",
]


def test_every_squawk_rule_has_a_rule_with_the_same_id():
    ids = {r.id for r in rules("postgresql")}
    assert not set(SQUAWK_2_63) - ids


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rules_are_documented_and_named_like_their_squawk_counterpart(dialect):
    for r in rules(dialect):
        assert KEBAB.match(r.id), r.id
        assert r.summary and r.why and r.fix, r.id
        assert r.severity in ("Critical", "High", "Medium", "Low"), r.id
        # our id is squawk's wherever squawk has the rule; unknown-suppression is our own syntax's twin
        assert not r.squawk or r.squawk == r.id or r.id == "unknown-suppression", r.id


def test_rules_listen_for_statements_that_exist():
    """A misspelt statement kind in ``on=`` would silently never run."""
    from pglast import ast, enums
    from sqlglot import exp

    pg_kinds = {name for name in dir(ast) if name[:1].isupper()}
    alter_actions = {m.name[len("AT_"):] for m in enums.AlterTableType}
    for r in rules("postgresql"):
        for key in r.on:
            kind, _, action = key.partition(".")
            assert kind in pg_kinds and (not action or (kind == "AlterTableStmt" and action in alter_actions)), \
                (r.id, key)
    for r in rules("mysql"):
        assert all(isinstance(getattr(exp, key, None), type) for key in r.on), r.id


def test_rule_reference_in_docs_is_current():
    text = (REPO / "docs" / "sql-rules.md").read_text(encoding="utf-8")
    assert render() in text, "docs/sql-rules.md is stale: python -m pytest_dbaudit.sqlrules.docs docs/sql-rules.md"


def test_detection_never_uses_regular_expressions_over_sql():
    offenders = [p.relative_to(REPO).as_posix() for p in (REPO / "pytest_dbaudit" / "sqlrules").rglob("*.py")
                 if re.search(r"^\s*(import re\b|from re import)", p.read_text(), re.MULTILINE)
                 and p.name != "suppressions.py"]  # suppressions parses comment bodies, never SQL
    assert not offenders


def test_unknown_dialect_and_rule_names_are_errors():
    with pytest.raises(ValueError, match="dialect"):
        lint("select 1", dialect="oracle")
    with pytest.raises(ValueError, match="no rule is called"):
        lint("select 1", enable=("no-such-rule",))
    # one disable list can serve both dialects
    assert lint("ALTER TABLE t ADD COLUMN c CHAR(2);", dialect="mysql", disable=("ban-char-field",)).ok


def test_report_shapes():
    report = lint("ALTER TABLE t DROP COLUMN c;", path="m/0001.sql")
    v = report.by_rule("ban-drop-column")[0]
    assert (v.line, v.path, v.location, v.anchor) == (1, "m/0001.sql", "m/0001.sql:1",
                                                     "squawk:ban-drop-column, strong_migrations:remove_column")
    assert v.to_finding().location == "m/0001.sql:1" and v.to_finding().severity == "High"
    assert json.dumps(report.to_dict())
    assert report.server_version == (15, 0) and report.statements == 1 and not report.ok


# -- suppressions ----------------------------------------------------------------------------------

DROP = "ALTER TABLE t DROP COLUMN {};"


def test_suppression_on_the_line_before_covers_that_statement_only():
    sql = f"-- dbaudit: ignore[ban-drop-column] unused since release 42\n{DROP.format('a')}\n{DROP.format('b')}\n"
    report = lint(sql)
    assert [v.line for v in report.by_rule("ban-drop-column")] == [3]
    assert not report.by_rule("unused-suppression")


def test_suppression_at_the_end_of_a_statement_covers_it_and_not_the_next():
    sql = f"{DROP.format('a')}  -- dbaudit: ignore[ban-drop-column] unused\n{DROP.format('b')}\n"
    assert [v.line for v in lint(sql).by_rule("ban-drop-column")] == [2]


def test_suppression_names_several_rules_and_spans_a_multiline_statement():
    sql = ("-- dbaudit: ignore[ban-drop-column, prefer-robust-stmts] the column is unused\n"
           "ALTER TABLE t\n    DROP COLUMN a;\n")
    report = lint(sql)
    assert not report.by_rule("ban-drop-column") and not report.by_rule("prefer-robust-stmts")


def test_file_suppression_covers_every_statement():
    sql = (f"{DROP.format('a')}\n-- dbaudit: ignore-file[ban-drop-column] legacy columns, all unused\n"
           f"{DROP.format('b')}\n")
    report = lint(sql)
    assert not report.by_rule("ban-drop-column") and not report.by_rule("unused-suppression")


def test_suppression_without_reason_is_reported_and_suppresses_nothing():
    report = lint(f"-- dbaudit: ignore[ban-drop-column]\n{DROP.format('a')}\n")
    assert report.by_rule("ban-drop-column")
    assert [v.line for v in report.by_rule("suppression-without-reason")] == [1]


def test_unknown_rule_in_a_suppression_is_reported_and_the_known_ones_still_work():
    report = lint(f"-- dbaudit: ignore[ban-drop-colum, ban-drop-column] unused\n{DROP.format('a')}\n")
    assert not report.by_rule("ban-drop-column")
    assert "ban-drop-colum" in report.by_rule("unknown-suppression")[0].message


def test_malformed_suppression_is_reported():
    report = lint(f"-- dbaudit: ignore ban-drop-column because\n{DROP.format('a')}\n")
    assert report.by_rule("unknown-suppression") and report.by_rule("ban-drop-column")


@pytest.mark.parametrize("sql", [
    f"-- dbaudit: ignore[renaming-column] was renamed before\n{DROP.format('a')}\n",
    f"-- dbaudit: ignore-file[renaming-column] renames are announced\n{DROP.format('a')}\n",
    "SELECT 1;\n-- dbaudit: ignore[ban-drop-column] trailing comment after the last statement\n",
])
def test_suppression_that_suppresses_nothing_is_reported(sql):
    assert lint(sql).by_rule("unused-suppression")


def test_suppression_rules_cannot_be_suppressed():
    report = lint(f"-- dbaudit: ignore[unused-suppression] hush\n{DROP.format('a')}\n")
    assert report.by_rule("unknown-suppression")


def test_squawk_ignore_comments_are_honoured_with_a_reason():
    honoured = lint(f"-- squawk-ignore ban-drop-column -- unused since release 42\n{DROP.format('a')}\n")
    assert not honoured.by_rule("ban-drop-column") and not honoured.by_rule("suppression-without-reason")
    bare = lint(f"-- squawk-ignore ban-drop-column\n{DROP.format('a')}\n")
    assert bare.by_rule("ban-drop-column") and bare.by_rule("suppression-without-reason")
    alias = lint("-- squawk-ignore-file prefer-timestamp-tz -- legacy\nCREATE TABLE IF NOT EXISTS t (a timestamp);")
    assert not alias.by_rule("prefer-timestamptz")
    unknown = lint(f"-- squawk-ignore ban-drop-colum -- typo\n{DROP.format('a')}\n")
    assert unknown.by_rule("unused-ignore") and not unknown.by_rule("unknown-suppression")
    opt_in_only = lint(f"-- squawk-ignore ban-drop-index -- squawk opt-in rule\n{DROP.format('a')}\n")
    assert not opt_in_only.by_rule("unused-ignore")


def test_mysql_hash_comments_suppress():
    sql = "# dbaudit: ignore[ban-drop-column] unused\nALTER TABLE t DROP COLUMN a;\nALTER TABLE t DROP COLUMN b;\n"
    assert [v.line for v in lint(sql, dialect="mysql").by_rule("ban-drop-column")] == [3]


# -- server versions -------------------------------------------------------------------------------

@pytest.mark.parametrize("default,pg10,pg11", [
    ("false", True, False),
    ("now()", True, False),
    ("'{}'::jsonb", True, False),
    ("gen_random_uuid()", True, True),
    ("clock_timestamp()", True, True),
    ("random() * 10", True, True),
    ("my_func()", True, True),  # user-defined: volatility unknown
    ("NULL", False, False),
])
def test_add_column_default_rewrites_before_11_and_when_volatile(default, pg10, pg11):
    sql = f"ALTER TABLE t ADD COLUMN IF NOT EXISTS c text DEFAULT {default};"
    assert bool(lint(sql, server_version=(10, 0)).by_rule("adding-field-with-default")) is pg10
    assert bool(lint(sql, server_version=(11, 0)).by_rule("adding-field-with-default")) is pg11
    assert bool(lint(sql).by_rule("adding-field-with-default")) is pg11  # default: PostgreSQL 15


def test_set_not_null_skips_its_scan_from_12_when_a_check_proves_it():
    sql = ("ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;\n"
           "ALTER TABLE t VALIDATE CONSTRAINT c_nn;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n")
    assert lint(sql, server_version=(11, 9)).by_rule("adding-not-nullable-field")
    assert not lint(sql, server_version=(12, 0)).by_rule("adding-not-nullable-field")
    other_column = sql.replace("CHECK (c IS NOT NULL)", "CHECK (d IS NOT NULL)")
    assert lint(other_column, server_version=(16, 0)).by_rule("adding-not-nullable-field")


def test_concurrent_index_corruption_only_on_14_0_to_14_3():
    sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"
    assert lint(sql, server_version=(14, 3)).by_rule("concurrent-index-corruption")
    assert not lint(sql, server_version=(14, 4)).by_rule("concurrent-index-corruption")
    assert not lint(sql, server_version=(13, 9)).by_rule("concurrent-index-corruption")


def test_virtual_generated_columns_do_not_rewrite():
    stored = "ALTER TABLE t ADD COLUMN IF NOT EXISTS c bigint GENERATED ALWAYS AS (a * 2) STORED;"
    virtual = stored.replace("STORED", "VIRTUAL")
    assert lint(stored, server_version=(18, 0)).by_rule("adding-generated-stored-column")
    assert not lint(virtual, server_version=(18, 0)).by_rule("adding-generated-stored-column")


# -- one migration at a time -----------------------------------------------------------------------

def test_tables_created_earlier_in_the_migration_are_new():
    sql = ("CREATE TABLE IF NOT EXISTS invoices (id bigint PRIMARY KEY, customer_id bigint);\n"
           "CREATE INDEX IF NOT EXISTS invoices_customer_idx ON invoices (customer_id);\n"
           "ALTER TABLE invoices ADD CONSTRAINT invoices_customer_fk\n"
           "    FOREIGN KEY (customer_id) REFERENCES customers (id);\n"
           "ALTER TABLE invoices ADD COLUMN IF NOT EXISTS total numeric NOT NULL;\n"
           "ALTER TABLE invoices ADD CONSTRAINT invoices_total_check CHECK (total >= 0);\n")
    report = lint(sql)
    for rule_id in ("require-concurrent-index-creation", "adding-foreign-key-constraint", "adding-required-field",
                    "constraint-missing-not-valid"):
        assert not report.by_rule(rule_id), rule_id
    # the next revision, linted on its own, changes an existing table
    later = lint("CREATE INDEX IF NOT EXISTS invoices_total_idx ON invoices (total);")
    assert later.by_rule("require-concurrent-index-creation")


def test_a_table_renamed_in_the_migration_stays_new():
    sql = ("CREATE TABLE IF NOT EXISTS a (x bigint);\nALTER TABLE a RENAME TO b;\n"
           "CREATE INDEX IF NOT EXISTS bx ON b (x);")
    assert not lint(sql).by_rule("require-concurrent-index-creation")


def test_timeouts_are_required_once_before_the_first_lock_on_an_existing_table():
    report = lint("CREATE TABLE IF NOT EXISTS n (a bigint);\nALTER TABLE t ADD COLUMN IF NOT EXISTS c text;\n"
                  "ALTER TABLE u ADD COLUMN IF NOT EXISTS c text;\n")
    assert [v.line for v in report.by_rule("require-lock-timeout")] == [2]
    assert not lint("SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN IF NOT EXISTS c text;").by_rule(
        "require-lock-timeout")
    assert lint("SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN IF NOT EXISTS c text;").by_rule("require-lock-timeout")
    local = "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\nALTER TABLE t ADD COLUMN IF NOT EXISTS c text;"
    assert lint(local).by_rule("require-lock-timeout")  # SET LOCAL ended with its transaction
    via_function = "SELECT set_config('lock_timeout', '2s', false);\nALTER TABLE t ADD COLUMN IF NOT EXISTS c text;"
    assert not lint(via_function).by_rule("require-lock-timeout")


def test_transaction_assumed_by_the_migration_tool():
    sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);"
    assert lint(sql, assume_in_transaction=True).by_rule("ban-concurrent-index-creation-in-transaction")
    assert not lint(sql).by_rule("ban-concurrent-index-creation-in-transaction")
    nested = lint("BEGIN;\nALTER TABLE t ADD COLUMN c text;\nCOMMIT;", assume_in_transaction=True)
    assert [v.line for v in nested.by_rule("transaction-nesting")] == [1, 3]
    assert not nested.by_rule("ban-uncommitted-transaction")


def test_uncommitted_transaction_is_reported_at_its_begin():
    report = lint("SELECT 1;\nBEGIN;\nALTER TABLE t ADD COLUMN IF NOT EXISTS c text;\n")
    assert [v.line for v in report.by_rule("ban-uncommitted-transaction")] == [2]
    assert not lint("BEGIN;\nSELECT 1;\nCOMMIT;\n").by_rule("ban-uncommitted-transaction")


# -- syntax errors ---------------------------------------------------------------------------------

def test_syntax_error_is_reported_and_the_other_statements_are_still_linted():
    sql = ("ALTER TABLE t DROP COLUMN a;\n"
           "ALTER TABLE t ADD COLUMN;\n"              # syntax error
           "CREATE TABLE (;\n"                         # another one, with an unbalanced parenthesis
           "ALTER TABLE t RENAME COLUMN b TO c;\n")
    report = lint(sql, path="broken.sql")
    assert [(e.line, e.kind) for e in report.errors] == [(2, "syntax"), (3, "syntax")]
    assert report.errors[0].path == "broken.sql" and "syntax error" in report.errors[0].message
    assert [v.line for v in report.by_rule("ban-drop-column")] == [1]
    assert [v.line for v in report.by_rule("renaming-column")] == [4]


def test_unterminated_string_keeps_the_statements_before_it():
    report = lint("ALTER TABLE t DROP COLUMN a;\n-- ü\nSELECT 'oops;\nALTER TABLE t DROP COLUMN b;\n")
    assert [v.line for v in report.by_rule("ban-drop-column")] == [1]
    assert [e.line for e in report.errors] == [3]


def test_lines_are_right_after_non_ascii_text():
    sql = "-- Größe, 価格\nSELECT 'é';\n\nALTER TABLE t DROP COLUMN a;\n"
    assert [v.line for v in lint(sql).by_rule("ban-drop-column")] == [4]


def test_mysql_unparsable_and_unsupported_statements_are_reported_not_passed():
    sql = ("ALTER TABLE t DROP COLUMN a;\n"
           "SELEC broken;\n"
           "RENAME TABLE a TO b;\n"
           "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=COPY;\n")
    report = lint(sql, dialect="mysql")
    assert [(e.line, e.kind) for e in report.errors] == [(2, "syntax"), (3, "unsupported")]
    assert report.by_rule("ban-drop-column") and report.by_rule("mysql-copy-algorithm")


def test_mysql_foreign_key_checks_setting_is_followed():
    fk = "ALTER TABLE o ADD CONSTRAINT o_fk FOREIGN KEY (c) REFERENCES c (id), ALGORITHM=INPLACE, LOCK=NONE;"
    assert lint(fk, dialect="mysql").by_rule("adding-foreign-key-constraint")
    assert not lint(f"SET foreign_key_checks = 0;\n{fk}", dialect="mysql").by_rule("adding-foreign-key-constraint")
    again = f"SET foreign_key_checks = 0;\nSET FOREIGN_KEY_CHECKS = 1;\n{fk}"
    assert lint(again, dialect="mysql").by_rule("adding-foreign-key-constraint")
