from django.shortcuts import render

from tenants.hosts import unit_base_url
from tenants.selectors import directory_units


def _units_with_urls():
    return [(unit, unit_base_url(unit)) for unit in directory_units().prefetch_related("domains")]


def home(request):
    return render(request, "portal/home.html", {"units": _units_with_urls()})


def unit_directory(request):
    return render(request, "portal/units.html", {"units": _units_with_urls()})
