"""Media of a unit, served only on that unit's own host.

Files of every unit live under MEDIA_ROOT/<schema>/ (django-tenants'
TenantFileSystemStorage), and their URLs are /media/<schema>/…. Nothing serves
that tree as a whole: this view answers only for the schema of the host the
request came to, and only for the folders that may be public:

- `images/`: renditions (what pages show), to anyone;
- `original_images/`: uploaded originals, to the unit's logged-in staff only;
- `documents/` never: documents go through Wagtail's serve view, which checks
  collection privacy and, through sitepages.attachments, that a live public
  page uses the document.

Everything else (another schema, another folder, path tricks) is a 404.

With MEDIA_X_ACCEL_REDIRECT_PREFIX set, the bytes are sent by nginx: the
response carries only headers and `X-Accel-Redirect: <prefix><schema>/<path>`
pointing at an `internal` location that aliases MEDIA_ROOT. This module is
also the SENDFILE_BACKEND of Wagtail's document serve view, so documents take
the same way.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import Http404, HttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from wagtail.utils import sendfile_streaming_backend

PUBLIC_FOLDERS = frozenset({"images"})
STAFF_FOLDERS = frozenset({"original_images"})


def is_unit_staff(user) -> bool:
    """A logged-in user of the current schema who may use its Wagtail admin.

    Users, groups and sessions live in each unit's schema, so a login on one
    unit's host means nothing on another's.
    """
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm("wagtailadmin.access_admin"))


def schema_media_root() -> Path:
    """The current schema's folder, as the default storage writes it."""
    return Path(default_storage.location).resolve()


def accel_redirect_prefix() -> str:
    return getattr(settings, "MEDIA_X_ACCEL_REDIRECT_PREFIX", "") or ""


def _accel_uri(relative: str) -> str:
    prefix = accel_redirect_prefix().rstrip("/")
    return f"{prefix}/{quote(connection.schema_name)}/{quote(relative)}"


def _relative_to_schema_root(filename: str) -> str:
    root = schema_media_root()
    target = Path(filename).resolve()
    if not target.is_relative_to(root):
        # Never hand nginx a path of another unit's folder.
        raise Http404("该文件不属于本站")
    return target.relative_to(root).as_posix()


def sendfile(request, filename, **kwargs) -> HttpResponse:
    """SENDFILE_BACKEND for wagtail.utils.sendfile (documents) and for `serve_media`.

    The setting is read on every call, so it can change without a restart of
    Wagtail's cached backend lookup.
    """
    relative = _relative_to_schema_root(filename)
    if not accel_redirect_prefix():
        return sendfile_streaming_backend.sendfile(request, filename, **kwargs)
    response = HttpResponse()
    response["X-Accel-Redirect"] = _accel_uri(relative)
    response["Last-Modified"] = http_date(os.stat(filename)[stat.ST_MTIME])
    return response


def _safe_parts(path: str) -> list[str] | None:
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", "..") or "\\" in part or "\x00" in part or part.startswith("."):
            return None
    return parts


@require_safe
def serve_media(request, path: str) -> HttpResponse:
    """/media/<schema>/<folder>/<file> of the current schema only."""
    parts = _safe_parts(path)
    if parts is None or len(parts) < 3 or parts[0] != connection.schema_name:
        raise Http404("文件不存在")
    folder = parts[1]
    if folder in STAFF_FOLDERS:
        if not is_unit_staff(request.user):
            raise Http404("文件不存在")
    elif folder not in PUBLIC_FOLDERS:
        raise Http404("文件不存在")
    root = schema_media_root()
    target = root.joinpath(*parts[1:]).resolve()
    if not target.is_relative_to(root / folder) or not target.is_file():
        raise Http404("文件不存在")

    response = sendfile(request, str(target))
    if response.status_code != 200:
        return response  # 304 Not Modified
    mimetype, encoding = mimetypes.guess_type(target.name)
    response["Content-Type"] = mimetype or "application/octet-stream"
    if encoding:
        response["Content-Encoding"] = encoding
    # Media are shown by <img>; nothing served here may run as a page.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    if folder in STAFF_FOLDERS:
        response["Cache-Control"] = "private, no-store"
    return response
