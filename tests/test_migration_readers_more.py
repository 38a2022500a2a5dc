"""Rails, Liquibase, Knex, Sequelize and TypeORM histories read statically: for each tool a fixture
repository with known defects (missing down, empty down, duplicate version/id, unsafe index DDL, a
broken file) and its clean twin, plus the forms each tool's files come in and malformed input."""

from __future__ import annotations

import pytest

from conftest import DATA, write
from pytest_dbaudit.sources.migrations import Down, History, migrations_of
from pytest_dbaudit.sources.walk import Repository

MIGRATIONS = DATA / "migrations"


def only(path, tool: str) -> History:
    """The one history of ``tool`` in the repository at ``path`` (other tools' readers may add theirs)."""
    found = [h for h in migrations_of(Repository(path)).histories if h.tool == tool]
    assert len(found) == 1, [(h.tool, h.root) for h in migrations_of(Repository(path)).histories]
    return found[0]


def assert_chained(h: History, ids: list[str]) -> None:
    assert [r.id for r in h.revisions] == ids
    assert [r.parents for r in h.revisions] == [()] + [(p,) for p in ids[:-1]]
    assert [r.id for r in h.heads()] == [ids[-1]] and h.cycles() == []


def downs(h: History) -> dict[str, tuple[Down, str]]:
    return {r.id: (r.down, r.down_detail) for r in h.revisions if r.down != Down.OK}


# -- Rails ----------------------------------------------------------------------------------------

RAILS_IDS = ["20240101090000_create_users", "20240102090000_add_email_index_to_users",
             "20240103090000_backfill_user_display_names", "20240104090000_add_status_to_users"]


def test_rails_defects():
    h = only(MIGRATIONS / "rails" / "defects", "Rails")
    assert (h.root, h.config, h.dialect, h.linear_by_design) == ("db/migrate", "", "postgresql", True)
    ids = RAILS_IDS + ["20240104090000_create_accounts", "20240105090000_remove_legacy_flag_from_users"]
    assert_chained(h, ids)  # the broken 20240106090000_add_role_to_users.rb is a problem, not a revision
    assert downs(h) == {
        "20240103090000_backfill_user_display_names": (Down.MISSING, "no down method (def up without def down)"),
        "20240104090000_add_status_to_users": (Down.EMPTY, "down does nothing"),
        "20240105090000_remove_legacy_flag_from_users": (
            Down.IRREVERSIBLE,
            "change uses remove_column without a type outside reversible/up_only: Rails cannot roll it back"),
    }
    assert [str(p) for p in h.problems] == [
        "db/migrate/20240106090000_add_role_to_users.rb:2: Ruby syntax error: `def` opened at line 2 is never "
        "closed (2 block(s) missing `end`)",
        "db/migrate/20240104090000_create_accounts.rb:1: duplicate version 20240104090000 "
        "(also db/migrate/20240104090000_add_status_to_users.rb)",
    ]
    index = h.by_id()["20240102090000_add_email_index_to_users"]
    assert index.up_sql == "CREATE INDEX index_users_on_email ON users (email);"  # heredoc, comment left out
    assert index.down_sql == "DROP INDEX index_users_on_email;"
    assert (index.operations, index.schema_change, index.data_change) == (["execute"], True, False)
    backfill = h.by_id()["20240103090000_backfill_user_display_names"]
    assert (backfill.operations, backfill.data_change, backfill.schema_change) == \
        (["find_each", "update_columns"], True, False)
    assert h.by_id()["20240101090000_create_users"].operations == ["create_table"]
    assert [r.order_key for r in h.revisions][:2] == [(20240101090000,), (20240102090000,)]


def test_rails_clean():
    h = only(MIGRATIONS / "rails" / "clean", "Rails")
    assert_chained(h, RAILS_IDS + ["20240104100000_create_accounts", "20240105090000_remove_legacy_flag_from_users",
                                   "20240106090000_add_role_to_users"])
    assert h.problems == [] and downs(h) == {}
    index = h.by_id()["20240102090000_add_email_index_to_users"]
    assert index.up_sql == "CREATE INDEX CONCURRENTLY IF NOT EXISTS index_users_on_email ON users (email);"
    assert h.by_id()["20240103090000_backfill_user_display_names"].down_sql == \
        "UPDATE users SET display_name = NULL WHERE display_name = split_part(email, '@', 1);"


def test_rails_change_reversibility_and_forms(tmp_path):
    write(tmp_path, {
        "db/migrate/20240101000000_explicit.rb": """
            =begin
            end end end (a block comment: no code)
            =end
            class Explicit < ActiveRecord::Migration[7.1]
              def change
                add_column :users, :name, :string
                reversible do |dir|
                  dir.up do
                    execute <<~SQL.squish
                      UPDATE users SET name = email
                    SQL
                  end
                  dir.down { execute "UPDATE users SET email = name" }
                end
                up_only { execute "UPDATE users SET active = true" }
                remove_index :users, column: :email if index_exists?(:users, :email)
                drop_table :old_things do |t|
                  t.string :label
                end
                change_column_default :users, :active, from: nil, to: true
              end
            end
        """,
        "db/migrate/20240102000000_implicit.rb": """
            class Implicit < ActiveRecord::Migration[7.1]
              def change
                execute "UPDATE users SET name = '#{Time.now}'"  # interpolated: not literal SQL
                change_table :users do |t|
                  t.change :name, :text
                end
                drop_table :old_things
              end
            end
        """,
        "db/migrate/20240103000000_raises.rb": """
            class Raises < ActiveRecord::Migration[7.1]
              def self.up
                remove_column :users, :name
              end

              def self.down
                raise ActiveRecord::IrreversibleMigration
              end
            end
        """,
        "db/migrate/20240104000000_refuses.rb": """
            class Refuses < ActiveRecord::Migration[7.1]
              def up; add_index :users, :name; end
              def down
                raise "cannot undo"
              end
            end
        """,
        "db/migrate/20240105000000_nothing.rb":
            "class Nothing < ActiveRecord::Migration[7.1]\n  def change\n  end\nend\n",
        "db/migrate/README.md": "not a migration",
        "engines/billing/db/migrate/20230101000000_create_invoices.billing.rb":
            "class CreateInvoices < ActiveRecord::Migration[7.1]\n  def change\n"
            "    create_table(:invoices) { |t| t.string :number }\n  end\nend\n",
        "db/analytics_migrate/20240101000000_create_events.rb":
            "class CreateEvents < ActiveRecord::Migration[7.1]\n  def change\n    create_table :events\n  end\nend\n",
        "db/migrate/20240106000000_not_a_migration.rb": "module Helpers\n  def self.x = 1\nend\n",
    })
    histories = {h.root: h for h in migrations_of(Repository(tmp_path)).histories if h.tool == "Rails"}
    assert sorted(histories) == ["db/analytics_migrate", "db/migrate", "engines/billing/db/migrate"]
    assert [r.id for r in histories["engines/billing/db/migrate"].revisions] == ["20230101000000_create_invoices"]
    h = histories["db/migrate"]
    assert [str(p) for p in h.problems] == [
        "db/migrate/20240106000000_not_a_migration.rb: no class inheriting from ActiveRecord::Migration"]
    explicit, implicit, raises, refuses, nothing = h.revisions
    assert (explicit.down, explicit.down_detail) == (Down.OK, "")
    assert explicit.up_sql == "UPDATE users SET name = email;\nUPDATE users SET active = true;"
    assert explicit.down_sql == "UPDATE users SET email = name;"
    assert explicit.operations == ["add_column", "execute", "execute", "remove_index", "drop_table",
                                   "change_column_default"]
    assert (implicit.down, implicit.down_detail) == (
        Down.IRREVERSIBLE, "change uses execute, change_table's t.change, drop_table without a block outside "
                           "reversible/up_only: Rails cannot roll it back")
    assert implicit.up_sql is None and implicit.data_change
    assert (raises.down, raises.down_detail) == (Down.IRREVERSIBLE, "down raises ActiveRecord::IrreversibleMigration")
    assert (refuses.down, refuses.down_detail) == (Down.RAISES, "down raises RuntimeError: cannot undo")
    assert (nothing.down, nothing.up_empty) == (Down.EMPTY, True)


# -- Liquibase ------------------------------------------------------------------------------------

LB = "src/main/resources/db/changelog"


def test_liquibase_defects():
    h = only(MIGRATIONS / "liquibase" / "defects", "Liquibase")
    assert (h.root, h.config, h.dialect) == (f"{LB}/db.changelog-master.yaml", "src/main/resources/application.yml",
                                             "postgresql")
    dup = f"alice:2@{LB}/changes/001-customers.xml"
    assert_chained(h, ["alice:1", "alice:2", dup, "bob:orders-1", "bob:orders-2", "carol:3", "dave:4", "dave:5"])
    assert [r.file.rsplit("/", 1)[-1] for r in h.revisions] == [
        "001-customers.xml", "001-customers.xml", "001-customers.xml", "002-orders.yaml", "002-orders.yaml",
        "003-customer-legacy-code.json", "004-order-indexes.sql", "005-order-totals.sql"]
    assert [r.line for r in h.revisions] == [8, 20, 29, 2, 25, 4, 3, 3]
    assert downs(h) == {
        "bob:orders-2": (Down.MISSING, "changeSet bob:orders-2 has no rollback and Liquibase cannot roll back "
                                       "insert automatically"),
        "carol:3": (Down.EMPTY, "changeSet carol:3 has an empty rollback"),
    }
    assert [str(p) for p in h.problems] == [
        f"{LB}/changes/006-audit-log.xml:7: XML syntax error: not well-formed (invalid token)",
        f"{LB}/changes/001-customers.xml:29: duplicate changeSet alice:2 (also {LB}/changes/001-customers.xml:20)",
    ]
    index = h.by_id()["dave:4"]
    assert index.up_sql == "CREATE INDEX idx_orders_customer_id ON orders (customer_id);"
    assert index.down_sql == "DROP INDEX idx_orders_customer_id;"
    unique = h.by_id()["alice:2"]
    assert (unique.name, unique.operations) == ("One account per email address", ["sql"])
    assert unique.up_sql == "ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email);"
    seed = h.by_id()["bob:orders-2"]
    assert (seed.operations, seed.data_change, seed.schema_change) == (["insert", "insert"], True, False)
    assert h.by_id()["alice:1"].schema_change and not h.by_id()["alice:1"].data_change


def test_liquibase_clean():
    h = only(MIGRATIONS / "liquibase" / "clean", "Liquibase")
    assert_chained(h, ["alice:1", "alice:2", "alice:3", "bob:orders-1", "bob:orders-2", "carol:3", "dave:4", "dave:5",
                       "erin:6"])
    assert h.problems == [] and downs(h) == {}
    assert h.by_id()["dave:4"].up_sql == "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_orders_customer_id ON orders (customer_id);"


def test_liquibase_forms(tmp_path):
    write(tmp_path, {
        "liquibase.properties": "changeLogFile=db/main.xml\nurl=jdbc:mysql://localhost/app\n",
        "db/main.xml": """
            <?xml version="1.0" encoding="UTF-8"?>
            <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
                <include file="parts/a.sql" relativeToChangelogFile="true"/>
                <includeAll path="db/more"/>
                <include file="db/missing.xml"/>
                <include file="db/main.xml"/>
                <changeSet id="ref" author="x" dbms="mysql">
                    <sqlFile path="scripts/backfill.sql" relativeToChangelogFile="true"/>
                    <rollback changeSetId="a1" changeSetAuthor="x"/>
                </changeSet>
                <changeSet id="tag" author="x"><tagDatabase tag="v1"/></changeSet>
                <changeSet id="drop" author="x"><dropTable tableName="t"/><rollback/></changeSet>
            </databaseChangeLog>
        """,
        "db/parts/a.sql": """
            --liquibase formatted sql
            --changeset x:a1 dbms:mysql
            CREATE TABLE t (id int);
            /* liquibase rollback
            DROP TABLE t;
            */
            --changeset x:a2
            UPDATE t SET id = 1;
            --rollback not required
            --changeset broken
            SELECT 1;
        """,
        "db/more/b.sql": "ALTER TABLE t ADD COLUMN b int;\n",  # not formatted: one raw changeSet
        "db/more/c.yaml": "databaseChangeLog:\n  - changeSet:\n      id: c1\n      author: x\n      changes: []\n",
        "db/scripts/backfill.sql": "INSERT INTO t VALUES (2);\n",
        "other/changelog.json": '{"databaseChangeLog": [{"changeSet": {"id": "j", "author": "y", "changes": '
                                '[{"sql": {"sql": "DELETE FROM t"}}]}}]}',
        "docs/changelog.md": "# not Liquibase",
        "evil/db.changelog.xml": '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
                                 "<databaseChangeLog>&e;</databaseChangeLog>\n",
    })
    (tmp_path / "latin/db.changelog.xml").parent.mkdir()
    (tmp_path / "latin/db.changelog.xml").write_bytes(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<databaseChangeLog><changeSet id="1" author="José">'
        "<createTable tableName=\"t\"/></changeSet></databaseChangeLog>\n".encode("latin-1"))
    histories = {h.root: h for h in migrations_of(Repository(tmp_path)).histories if h.tool == "Liquibase"}
    assert sorted(histories) == ["db/main.xml", "evil/db.changelog.xml", "latin/db.changelog.xml",
                                 "other/changelog.json"]
    main = histories["db/main.xml"]
    assert (main.config, main.dialect) == ("liquibase.properties", "mysql")
    assert [r.id for r in main.revisions] == ["x:a1", "x:a2", "includeAll:raw", "x:c1", "x:ref", "x:tag", "x:drop"]
    assert {r.id: (r.down, r.down_detail) for r in main.revisions} == {
        "x:a1": (Down.OK, ""), "x:a2": (Down.EMPTY, "changeSet x:a2 says --rollback not required"),
        "includeAll:raw": (Down.MISSING, "changeSet includeAll:raw has no rollback and Liquibase cannot roll back "
                                         "sql automatically"),
        "x:c1": (Down.EMPTY, "changeSet x:c1 has no changes"), "x:ref": (Down.OK, ""), "x:tag": (Down.OK, ""),
        "x:drop": (Down.EMPTY, "changeSet x:drop has an empty rollback")}
    assert main.by_id()["x:a1"].down_sql == "DROP TABLE t;"
    assert main.by_id()["x:ref"].up_sql == "INSERT INTO t VALUES (2);" and main.by_id()["x:ref"].data_change
    assert [str(p) for p in main.problems] == [
        "db/parts/a.sql:10: --changeset without author:id (broken): Liquibase stops with 'Unexpected formatting'",
        "db/main.xml:5: includes db/missing.xml, which does not exist",
        "db/main.xml:6: circular include of db/main.xml",
    ]
    assert histories["other/changelog.json"].revisions[0].data_change
    assert [str(p) for p in histories["evil/db.changelog.xml"].problems] == [
        "evil/db.changelog.xml: declares XML entities; not read (entity expansion is refused)"]
    latin = histories["latin/db.changelog.xml"]
    assert latin.problems == [] and [r.id for r in latin.revisions] == ["José:1"]


# -- Knex, Sequelize, TypeORM ---------------------------------------------------------------------

def test_knex_defects():
    h = only(MIGRATIONS / "knex" / "defects", "Knex")
    assert (h.root, h.config, h.dialect) == ("db/migrations", "knexfile.js", "postgresql")
    assert_chained(h, ["20240101090000_create_users", "20240102090000_add_users_email_index",
                       "20240103090000_create_orders", "20240104090000_add_status_to_orders",
                       "20240104090000_seed_order_statuses"])
    assert downs(h) == {"20240103090000_create_orders": (Down.MISSING, "no down export"),
                        "20240104090000_seed_order_statuses": (Down.EMPTY, "down() does nothing")}
    assert [str(p) for p in h.problems] == [
        "db/migrations/20240105090000_add_order_totals.js:2: syntax error: unterminated template literal",
        "db/migrations/20240104090000_seed_order_statuses.js:1: duplicate timestamp 20240104090000 "
        "(also db/migrations/20240104090000_add_status_to_orders.js)",
    ]
    index = h.by_id()["20240102090000_add_users_email_index"]
    assert (index.up_sql, index.down_sql) == ("CREATE INDEX users_email_idx ON users (email);",
                                              "DROP INDEX users_email_idx;")
    assert (index.operations, index.schema_change) == (["raw"], True)
    seed = h.by_id()["20240104090000_seed_order_statuses"]
    assert (seed.operations, seed.data_change, seed.schema_change) == (["insert"], True, False)
    assert h.by_id()["20240104090000_add_status_to_orders"].operations == ["alterTable"]  # arrow expression body


def test_sequelize_defects():
    h = only(MIGRATIONS / "sequelize" / "defects", "Sequelize")
    assert (h.root, h.config, h.dialect) == ("database/migrations", ".sequelizerc", "postgresql")
    assert_chained(h, ["20240101090000-create-users", "20240102090000-add-users-email-index",
                       "20240103090000-create-orders", "20240104090000-add-status-to-orders",
                       "20240104090000-seed-order-statuses"])
    assert downs(h) == {"20240103090000-create-orders": (Down.MISSING, "no down function in module.exports"),
                        "20240104090000-seed-order-statuses": (Down.EMPTY, "down() does nothing")}
    assert [str(p) for p in h.problems] == [
        "database/migrations/20240105090000-add-order-totals.js:7: syntax error: `)` closes the `{` opened at "
        "line 5",
        "database/migrations/20240104090000-seed-order-statuses.js:4: duplicate timestamp 20240104090000 "
        "(also database/migrations/20240104090000-add-status-to-orders.js)",
    ]
    index = h.by_id()["20240102090000-add-users-email-index"]
    assert index.up_sql == 'CREATE INDEX users_email_idx ON "Users" (email);'
    assert h.by_id()["20240104090000-seed-order-statuses"].operations == ["bulkInsert"]


def test_typeorm_defects():
    h = only(MIGRATIONS / "typeorm" / "defects", "TypeORM")
    assert (h.root, h.config, h.dialect) == ("src/migrations", "src/data-source.ts", "postgresql")
    assert_chained(h, ["1704100000000-CreateUsers", "1704200000000-AddUsersEmailIndex", "1704300000000-CreateOrders",
                       "1704400000000-AddStatusToOrders", "1704400000000-SeedOrderStatuses"])
    assert [r.name for r in h.revisions][:2] == ["CreateUsers1704100000000", "AddUsersEmailIndex1704200000000"]
    assert downs(h) == {"1704300000000-CreateOrders": (Down.MISSING, "no down() method"),
                        "1704400000000-SeedOrderStatuses": (Down.EMPTY, "down() does nothing")}
    assert [str(p) for p in h.problems] == [
        "src/migrations/1704500000000-AddOrderTotals.ts:5: syntax error: unterminated string literal",
        "src/migrations/1704400000000-SeedOrderStatuses.ts:4: duplicate timestamp 1704400000000 "
        "(also src/migrations/1704400000000-AddStatusToOrders.ts)",
    ]
    index = h.by_id()["1704200000000-AddUsersEmailIndex"]
    assert (index.up_sql, index.down_sql) == ('CREATE INDEX "IDX_users_email" ON "users" ("email");',
                                              'DROP INDEX "public"."IDX_users_email";')
    seed = h.by_id()["1704400000000-SeedOrderStatuses"]
    assert (seed.data_change, seed.schema_change) == (True, False)


@pytest.mark.parametrize("tool, folder, root, ids, index_sql", [
    ("Knex", "knex", "db/migrations",
     ["20240101090000_create_users", "20240102090000_add_users_email_index", "20240103090000_create_orders",
      "20240104090000_seed_order_statuses", "20240104100000_add_status_to_orders", "20240105090000_add_order_totals"],
     "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);"),
    ("Sequelize", "sequelize", "database/migrations",
     ["20240101090000-create-users", "20240102090000-add-users-email-index", "20240103090000-create-orders",
      "20240104090000-seed-order-statuses", "20240104100000-add-status-to-orders", "20240105090000-add-order-totals"],
     'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON "Users" (email);'),
    ("TypeORM", "typeorm", "src/migrations",
     ["1704100000000-CreateUsers", "1704200000000-AddUsersEmailIndex", "1704300000000-CreateOrders",
      "1704400000000-SeedOrderStatuses", "1704410000000-AddStatusToOrders", "1704500000000-AddOrderTotals"],
     'CREATE INDEX CONCURRENTLY IF NOT EXISTS "IDX_users_email" ON "users" ("email");'),
])
def test_js_clean(tool, folder, root, ids, index_sql):
    h = only(MIGRATIONS / folder / "clean", tool)
    assert h.root == root
    assert_chained(h, ids)
    assert h.problems == [] and downs(h) == {}
    assert h.revisions[1].up_sql == index_sql


def test_js_forms(tmp_path):
    write(tmp_path, {
        "api/package.json": '{"dependencies": {"knex": "^3"}}',
        "api/migrations/20240101000000_esm.ts": """
            import type { Knex } from "knex";

            const pattern = /["'`{]/g; // a regex literal full of quotes and braces

            export async function up(knex: Knex): Promise<void> {
              await knex.schema.createTable("t", (table) => table.increments());
              await knex.raw(`CREATE INDEX t_id ON t (id)`);
              await knex.raw(`UPDATE t SET x = ${`nested ${"deep"}`}`);  // interpolated: not literal
              await knex.raw("DELETE FROM t " + "WHERE id = 0");
            }

            export async function down(knex: Knex): Promise<void> {
              throw new Error("irreversible: data was merged");
            }
        """,
        "api/migrations/20240102000000_arrows.js": """
            const noop = () => Promise.resolve();
            exports.up = (knex) => knex.schema.dropTable('old');
            exports.down = noop;
        """,
        "api/migrations/20240103000000_empty_arrow.js": """
            exports.up = knex => knex('t').update({ x: 1 });
            exports.down = () => Promise.resolve();
        """,
        "svc/package.json": '{"dependencies": {"umzug": "^3", "sequelize": "^6"}}',
        "svc/src/migrations/2024.01.01T00.00.00.create.ts": "export const up = 1;",  # not a timestamp name
        "svc/src/migrations/20240101000000-umzug.ts": """
            import type { Migration } from '../umzug';
            export const up: Migration = async ({ context: queryInterface }) => {
              await queryInterface.addIndex('users', ['email']);
            };
            export const down: Migration = async ({ context: queryInterface }) => {};
        """,
        "orm/migrations/1700000000000-NoStamp.ts": """
            import { MigrationInterface, QueryRunner } from "typeorm";
            export class NoStamp implements MigrationInterface {
              up = async (queryRunner: QueryRunner) => { await queryRunner.dropTable("x"); };
              async down(queryRunner: QueryRunner) { await queryRunner.query("SELECT 1"); }
            }
        """,
        "pgm/package.json": '{"dependencies": {"node-pg-migrate": "^7"}}',
        "pgm/migrations/1700000000000_init.js": "exports.up = (pgm) => { pgm.createTable('t', {}); };\n",
    })
    histories = {(h.tool, h.root): h for h in migrations_of(Repository(tmp_path)).histories
                 if h.tool in ("Knex", "Sequelize", "TypeORM")}
    assert sorted(histories) == [("Knex", "api/migrations"), ("Sequelize", "svc/src/migrations"),
                                 ("TypeORM", "orm/migrations")]  # node-pg-migrate is not read as Knex
    knex = histories[("Knex", "api/migrations")]
    esm, arrows, empty_arrow = knex.revisions
    assert (esm.down, esm.down_detail) == (Down.RAISES, "down() throws Error: irreversible: data was merged")
    assert esm.up_sql == "CREATE INDEX t_id ON t (id);\nDELETE FROM t WHERE id = 0;"
    assert esm.operations == ["createTable", "raw", "raw", "raw"] and esm.data_change
    assert (arrows.down, arrows.operations) == (Down.OK, ["dropTable"])  # a reference: not followed
    assert (empty_arrow.down, empty_arrow.down_detail, empty_arrow.data_change) == \
        (Down.EMPTY, "down() does nothing", True)
    umzug = histories[("Sequelize", "svc/src/migrations")].revisions
    assert [(r.id, r.down, r.operations) for r in umzug] == [("20240101000000-umzug", Down.EMPTY, ["addIndex"])]
    orm = histories[("TypeORM", "orm/migrations")]
    assert [str(p) for p in orm.problems] == [
        "orm/migrations/1700000000000-NoStamp.ts: class NoStamp has no 13-digit JavaScript timestamp at the end of "
        "its name: TypeORM refuses it"]
    assert [(r.down, r.down_sql, r.operations) for r in orm.revisions] == [(Down.OK, "SELECT 1;", ["dropTable"])]


# -- malformed input ------------------------------------------------------------------------------

def test_malformed_files_are_problems_never_exceptions(tmp_path):
    write(tmp_path, {"package.json": '{"devDependencies": {"knex": "^3"}}'})
    files = {
        "db/migrate/20240101000000_binary.rb": b"\x00\x01\x02class X < ActiveRecord::Migration[7.1]\x00",
        "db/migrate/20240102000000_latin.rb":
            "class Latin < ActiveRecord::Migration[7.1]\n  # café\n  def change\n  end\nend\n".encode("latin-1"),
        "db/migrate/20240103000000_empty.rb": b"",
        "db/migrate/20240104000000_garbage.rb": b"\"unterminated\n<<~SQL\n end end }",
        "db/changelog/db.changelog-master.xml": b"",
        "db/changelog/db.changelog-other.yaml": "databaseChangeLog:\n  - changeSet: {id: é}\n".encode("latin-1"),
        "db/changelog/changelog.json": b"\x00\xff{\x00",
        "db/changelog/conflict.changelog.sql": b"--liquibase formatted sql\n--changeset a:1\n<<<<<<< HEAD\n",
        "migrations/20240101000000_binary.js": b"\x00\x00exports.up = 1",
        "migrations/20240102000000_latin.js": "// café\nexports.up = (knex) => knex.schema.dropTable('t');\n"
                                              .encode("latin-1"),
        "migrations/20240103000000_empty.js": b"",
        "migrations/20240104000000_conflict.js": b"<<<<<<< HEAD\nexports.up = 1\n=======\n>>>>>>> main\n",
        "migrations/20240105000000_nothing.js": b"module.exports = {};\n// knex\n",
    }
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    histories = {(h.tool, h.root): h for h in migrations_of(Repository(tmp_path)).histories}
    rails = histories[("Rails", "db/migrate")]
    assert [str(p) for p in rails.problems] == [
        "db/migrate/20240101000000_binary.rb: could not be read (binary or unreadable)",
        "db/migrate/20240102000000_latin.rb: not UTF-8 text: Ruby refuses invalid multibyte characters",
        "db/migrate/20240103000000_empty.rb: empty file: no migration class in it",
        "db/migrate/20240104000000_garbage.rb:1: Ruby syntax error: unterminated string literal",
    ]
    assert [r.id for r in rails.revisions] == ["20240102000000_latin"]
    problems = {root: [str(p) for p in h.problems] for (tool, root), h in histories.items() if tool == "Liquibase"}
    assert problems == {
        "db/changelog/changelog.json": ["db/changelog/changelog.json: changelog could not be read "
                                        "(binary or unreadable)"],
        "db/changelog/db.changelog-master.xml": ["db/changelog/db.changelog-master.xml: empty changelog: Liquibase "
                                                 "refuses a file with no databaseChangeLog"],
        "db/changelog/db.changelog-other.yaml": ["db/changelog/db.changelog-other.yaml: could not parse: "
                                                 "not UTF-8 text"],
        "db/changelog/conflict.changelog.sql": ["db/changelog/conflict.changelog.sql:3: unresolved merge conflict "
                                                "markers"],
    }
    knex = histories[("Knex", "migrations")]
    assert [str(p) for p in knex.problems] == [
        "migrations/20240101000000_binary.js: could not be read (binary or unreadable)",
        "migrations/20240102000000_latin.js: not UTF-8 text",
        "migrations/20240103000000_empty.js: empty file: no up/down migration in it",
        "migrations/20240104000000_conflict.js:1: unresolved merge conflict markers",
        "migrations/20240105000000_nothing.js: no up function found (not a Knex file?)",
    ]
    assert [(r.id, r.down) for r in knex.revisions] == [("20240102000000_latin", Down.MISSING)]
