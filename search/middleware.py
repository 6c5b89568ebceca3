"""Input hygiene of every admin search, in both admins (unit and information centre).

The page search, the page chooser, the document and image listings and every
model listing take their query from `q`. Before the view sees it, control
characters (NUL) are removed and it is cut to MAX_QUERY_CHARS characters, and
the user is told so in Chinese; search.wagtail_backend also keeps at most
MAX_QUERY_TERMS words, whatever reaches it. Nothing of it answers 500 any more.

Goes after django.contrib.messages' MessageMiddleware.
"""

from __future__ import annotations

from django.contrib import messages

from .normalize import MAX_QUERY_CHARS, MAX_QUERY_TERMS, clean_input
from .segmentation import query_terms

ADMIN_PREFIX = "/admin/"
CONTROL_REMOVED = "检索词中含有控制字符，已删除后再检索。"


def too_long_notice(length: int) -> str:
    return f"检索词过长：最多 {MAX_QUERY_CHARS} 个字符，您输入了 {length} 个，已只按前 {MAX_QUERY_CHARS} 个字符检索。"


def too_many_notice(terms: int) -> str:
    return f"检索词过多：最多 {MAX_QUERY_TERMS} 个词，您输入了 {terms} 个，已只按前 {MAX_QUERY_TERMS} 个词检索。"


def clean_admin_query(raw: str) -> tuple[str, list[str]]:
    """The query the admin searches for, and what to tell the user about it."""
    notices: list[str] = []
    cleaned = clean_input(raw)
    if cleaned != " ".join(raw.split()):
        notices.append(CONTROL_REMOVED)
    if len(cleaned) > MAX_QUERY_CHARS:
        notices.append(too_long_notice(len(cleaned)))
        cleaned = cleaned[:MAX_QUERY_CHARS].strip()
    terms = len(query_terms(cleaned))
    if terms > MAX_QUERY_TERMS:
        notices.append(too_many_notice(terms))
    return cleaned, notices


class AdminSearchInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIX) and "q" in request.GET:
            raw = request.GET.get("q", "")
            cleaned, notices = clean_admin_query(raw)
            if cleaned != raw:
                params = request.GET.copy()
                if cleaned:
                    params["q"] = cleaned
                else:
                    del params["q"]
                params._mutable = False
                request.GET = params
            # Chooser modals and other fetches render no messages; their query is cleaned all the same.
            if notices and hasattr(request, "_messages") and not _is_fetch(request):
                for notice in notices:
                    messages.warning(request, notice)
        return self.get_response(request)


def _is_fetch(request) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest" or "/choose" in request.path
