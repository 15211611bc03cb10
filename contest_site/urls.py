from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("core.urls")),
    path("events/", include("events.urls")),
    path("events/", include("registration.urls")),
    path("events/", include("judging.urls")),
    path("notifications/", include("notifications.urls")),
    path("rooms/", include("livestream.urls")),
    path("events/", include("docking.urls")),
    path("events/", include("landing.urls")),
    path("events/", include("insights.urls")),
    path("events/", include("awards.urls")),
    path("", include("experts.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("contest_site.api_urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded files are served by daphne itself when no proxy is in front.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
