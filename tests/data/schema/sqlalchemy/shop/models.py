"""A small shop in SQLAlchemy 2.0 declarative style, with known defects."""
from datetime import datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[Optional[datetime]] = mapped_column(DateTime)


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str | None]
    orders: Mapped[list["Order"]] = relationship(back_populates="user")

    __table_args__ = (Index("ix_users_email_dup", "email"),)  # duplicate of the unique constraint


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # FK, no index
    coupon_id: Mapped[Optional[int]]  # *_id without FK
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    note = sa.Column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True, server_default="new")
    user: Mapped["User"] = relationship(back_populates="orders")


class OrderItem(Base):
    __tablename__ = "order_items"
    __table_args__ = (
        sa.PrimaryKeyConstraint("order_id", "line_no"),
        UniqueConstraint("order_id", "product_id", name="uq_order_items_product"),
        Index("ix_order_items_order", "order_id"),  # redundant: prefix of the primary key
    )

    order_id = sa.Column(sa.BigInteger, sa.ForeignKey("orders.id"))
    line_no = sa.Column(Integer)
    product_id = sa.Column(Integer, sa.ForeignKey("products.id"), nullable=False)
    price = sa.Column(sa.Float, nullable=False)


products = sa.Table(
    "products",
    Base.metadata,
    sa.Column("id", Integer, primary_key=True),
    sa.Column("sku", String(40), nullable=False, unique=True),
    sa.Column("price", sa.Float),
)

audit_log = sa.Table(
    "audit_log",
    Base.metadata,
    sa.Column("user_id", Integer),
    sa.Column("action", Text, nullable=False),
    sa.Column("at", DateTime, server_default=sa.text("now()")),
)
