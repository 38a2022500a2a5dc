INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "shop", "catalog", "broken"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
