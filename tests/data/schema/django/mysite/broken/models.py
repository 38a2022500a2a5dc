from django.db import models


class Broken(models.Model)
    name = models.CharField(max_length=10)
