from django.db import models


class Stamped(models.Model):
    class Meta:
        abstract = True


class Order(Stamped):
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    note = models.TextField(default="")
