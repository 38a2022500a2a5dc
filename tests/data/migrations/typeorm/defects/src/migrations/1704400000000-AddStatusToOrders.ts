import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";

export class AddStatusToOrders1704400000000 implements MigrationInterface {
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn("orders", new TableColumn({ name: "status", type: "varchar", default: "'new'" }));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn("orders", "status");
  }
}
