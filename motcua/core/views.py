from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The landing page until the staff app exists: where to go, and what the database holds."""
    from motcua.catalogue.models import Procedure, Unit
    from motcua.dossiers.models import Dossier

    return render(request, "core/home.html", {
        "units": Unit.objects.count(), "procedures": Procedure.objects.count(), "dossiers": Dossier.objects.count(),
    })
