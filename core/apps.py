from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Site")

    def ready(self):
        from django.core.signals import request_finished

        from . import metrics
        from .middleware import request_id_forget

        metrics.celery_signals_connect()
        request_finished.connect(request_id_forget, dispatch_uid="core.request_id_forget")
