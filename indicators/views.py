from django.shortcuts import get_object_or_404, render

from .models import Indicator


def indicator_list(request):
    indicators = Indicator.objects.all()
    return render(request, "indicators/indicator_list.html", {"indicators": indicators})


def indicator_detail(request, slug):
    indicator = get_object_or_404(Indicator, slug=slug)
    observations = indicator.observations.all()
    return render(
        request,
        "indicators/indicator_detail.html",
        {"indicator": indicator, "observations": observations},
    )
