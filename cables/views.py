from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cables.models import Cable


def cable_detail(request: HttpRequest, cable_id: str) -> HttpResponse:
    cable = get_object_or_404(Cable, pk=cable_id)
    return render(request, "cables/detail.html", {"cable": cable})
