from .product import Coupon, Product, Tag  # noqa: F401
