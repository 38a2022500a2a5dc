import { Column, Entity, JoinColumn, JoinTable, ManyToMany, ManyToOne, OneToMany } from "typeorm";
import { BaseEntity } from "./Base";
import { User } from "./User";
import { OrderItem } from "./OrderItem";
import { Tag } from "./Tag";

@Entity("orders")
export class Order extends BaseEntity {
  @ManyToOne(() => User, (user) => user.orders, { nullable: false, onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user: User; // FK without index: TypeORM creates none

  @Column({ type: "int", nullable: true })
  couponId: number | null; // *Id without FK

  @Column({ type: "decimal", precision: 10, scale: 2, default: 0 })
  total: string;

  @Column("float")
  amount: number;

  @Column({ type: "varchar", length: 20, default: "new" })
  status: string;

  @OneToMany(() => OrderItem, (item) => item.order)
  items: OrderItem[];

  @ManyToMany(() => Tag)
  @JoinTable()
  tags: Tag[];

  get label(): string {
    return `order ${this.id}`;
  }
}
