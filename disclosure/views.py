from django.shortcuts import render


def index(request):
    """The public home page (公示); the disclosure issue fills it."""
    return render(request, "disclosure/index.html")
