"""The portal's pages of 评比: the list and one contest, with its results once the centre published them.

Before publication a contest's page shows its theme, criteria and dates only: no nomination and no score.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from . import selectors
from .models import Phase


def contest_list(request):
    now = timezone.now()
    rows = [(contest, Phase(contest.phase(now)).label) for contest in selectors.portal_contests(now=now)]
    return render(request, "contests/portal/list.html", {"rows": rows})


def contest_detail(request, contest_id: int):
    now = timezone.now()
    contest = selectors.get_contest(contest_id=contest_id)
    if contest is None or contest.nomination_opens_at > now:
        raise Http404("该评比不存在")
    published = contest.phase(now) == Phase.PUBLISHED
    return render(
        request,
        "contests/portal/detail.html",
        {
            "contest": contest,
            "phase_label": Phase(contest.phase(now)).label,
            "criteria": selectors.criteria(contest=contest),
            "published": published,
            "nominations": selectors.nominations(contest=contest) if published else [],
            "jury": [selectors.juror_name(user) for user in selectors.jury(contest=contest)] if published else [],
        },
    )
