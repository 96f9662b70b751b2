from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo archive and the media maker: development and test settings only.

    Outside the shipped package on purpose: production never installs this app, so the demo
    loader, its documented admin password and the media synthesiser never reach a server.
    """

    name = "demo"
    verbose_name = "Demo archive"
