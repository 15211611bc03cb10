from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .dashboard import dashboard_sections
from .health import health_report


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
