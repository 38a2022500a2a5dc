import { MigrationInterface, QueryRunner } from "typeorm";

export class AddOrderTotals1704500000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"orders\" ADD \"total_cents\" bigint);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "total_cents"`);
  }
}
