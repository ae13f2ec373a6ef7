from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # Webhooks hear what the lower apps do through their signals (they never import api).
        from api.webhooks.receivers import connect

        connect()
