import { MigrationInterface, QueryRunner } from "typeorm";

export class SeedOrderStatuses1704400000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO "order_statuses" ("code") VALUES ('new'), ('shipped')`);
  }

  public async down(): Promise<void> {
    // nothing to do
  }
}
