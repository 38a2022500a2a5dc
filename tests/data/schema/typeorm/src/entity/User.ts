import { Column, Entity, Index, OneToMany } from "typeorm";
import { BaseEntity } from "./Base";
import { Order } from "./Order";

@Entity("users")
@Index("users_email_dup", ["email"]) // duplicate of the unique constraint
export class User extends BaseEntity {
  @Column({ length: 255, unique: true })
  email: string;

  @Column({ nullable: true })
  name?: string;

  @OneToMany(() => Order, (order) => order.user)
  orders: Order[];
}
