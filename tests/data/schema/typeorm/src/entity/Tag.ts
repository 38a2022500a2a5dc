import { Column, Entity, PrimaryColumn } from "typeorm";

@Entity()
export class Tag {
  @PrimaryColumn({ length: 30 })
  name: string;

  @Column({ type: "timestamp", nullable: true })
  archivedAt: Date | null;
}
