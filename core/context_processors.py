from django.conf import settings


def site(request):
    return {"SITE_NAME": "Haizhi Events", "DEBUG": settings.DEBUG}
