from django.db import models


class Product(models.Model):
    sku = models.SlugField(max_length=40, unique=True)
    price = models.DecimalField(max_digits=10, decimal_places=2)


class Coupon(models.Model):
    code = models.CharField(max_length=20)


class Tag(models.Model):
    name = models.CharField(max_length=30)
