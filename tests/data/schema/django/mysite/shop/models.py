from django.conf import settings
from django.db import models


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Customer(Timestamped):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=120, db_index=True)

    class Meta:
        db_table = "customers"
        indexes = [models.Index(fields=["email"], name="customers_email_dup")]  # duplicate of the unique


class Order(Timestamped):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    coupon = models.ForeignKey("catalog.Coupon", null=True, on_delete=models.SET_NULL, db_index=False)  # unindexed FK
    total = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.FloatField()
    status = models.CharField(max_length=20, default="new")
    note = models.TextField(null=True, blank=True)
    tags = models.ManyToManyField("catalog.Tag", blank=True)


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField(default=1)

    class Meta:
        unique_together = [("order", "product")]
        indexes = [models.Index(fields=["order", "-quantity"])]


class LegacyCode(models.Model):
    code = models.CharField(max_length=10, primary_key=True)
    label = models.CharField(max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["label"], name="legacy_label_uniq")]
