from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Site")

    def ready(self):
        from django.conf import settings
        from django.core.signals import request_finished

        from . import logs, metrics
        from .middleware import request_id_forget

        metrics.celery_signals_connect()
        logs.celery_logging_connect(keep_django_logging=settings.LOG_FORMAT == "json")
        request_finished.connect(request_id_forget, dispatch_uid="core.request_id_forget")
