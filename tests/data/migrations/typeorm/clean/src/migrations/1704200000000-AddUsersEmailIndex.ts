import { MigrationInterface, QueryRunner } from "typeorm";

export class AddUsersEmailIndex1704200000000 implements MigrationInterface {
  name = "AddUsersEmailIndex1704200000000";
  // CREATE INDEX CONCURRENTLY cannot run inside a transaction
  transaction = false as const;

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS "IDX_users_email" ON "users" ("email")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY "public"."IDX_users_email"`);
  }
}
