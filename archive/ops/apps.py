from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operating the archive: request ids in structured logs, Prometheus metrics."""

    name = "archive.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import tasks

        tasks.connect()
