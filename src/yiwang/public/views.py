"""Public pages that need no login."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.catalog.models import Category
from yiwang.catalog.selectors import current_versions


def home(request: HttpRequest) -> HttpResponse:
    """The published catalogue by category, and where to go next."""
    order = {c.value: i for i, c in enumerate(Category)}
    versions = sorted(current_versions(), key=lambda v: (order[v.category], v.item.code))
    groups = [
        (category, list(items)) for category, items in groupby(versions, key=lambda v: v.category)
    ]
    return render(request, "public/home.html", {"groups": groups, "total": len(versions)})
