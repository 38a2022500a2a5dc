import { MigrationInterface, QueryRunner } from "typeorm";

export class AddUsersEmailIndex1704200000000 implements MigrationInterface {
  name = "AddUsersEmailIndex1704200000000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "IDX_users_email" ON "users" ("email")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_users_email"`);
  }
}
