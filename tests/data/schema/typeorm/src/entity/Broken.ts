import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

@Entity()
export class Broken {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ length: 10 )
  name: string;
}
