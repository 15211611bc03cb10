from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .dashboard import dashboard_sections
from .health import health_report
from .metrics import exposition, metrics_access_refusal


def home(request):
    # The published events come from events' ``{% published_events %}`` tag: core sits below events.
    return render(request, "core/home.html")


@login_required
def dashboard(request):
    return render(request, "core/dashboard.html", {"sections": dashboard_sections(request.user)})


@never_cache
@require_GET
def healthz(request):
    ok, report = health_report()
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": report}, status=200 if ok else 503)


@never_cache
@require_GET
def metrics(request):
    """Prometheus figures (``core.metrics``), for the bearer of ``METRICS_TOKEN`` or an allowed address only."""
    refusal = metrics_access_refusal(
        authorization=request.headers.get("Authorization", ""),
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        token=settings.METRICS_TOKEN,
        allowed_ips=settings.METRICS_ALLOWED_IPS,
    )
    if refusal:
        return HttpResponseForbidden(refusal, content_type="text/plain; charset=utf-8")
    body, content_type = exposition(multiproc_dir=settings.METRICS_MULTIPROC_DIR)
    return HttpResponse(body, content_type=content_type)
