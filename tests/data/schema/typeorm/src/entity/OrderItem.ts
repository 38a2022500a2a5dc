import { Column, Entity, Index, ManyToOne, PrimaryColumn, Unique } from "typeorm";
import { Order } from "./Order";

@Entity()
@Unique(["order", "lineNo"])
export class OrderItem {
  @PrimaryColumn()
  orderId: number;

  @PrimaryColumn({ type: "int" })
  lineNo: number;

  @ManyToOne(() => Order, (order) => order.items)
  order: Order;

  @Index()
  @Column()
  productSku: string;

  @Column({ type: "double precision" })
  price: number;
}
