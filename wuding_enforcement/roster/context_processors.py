from django.conf import settings


def portal(request):
    return {"BUREAU_NAME": settings.BUREAU_NAME}
