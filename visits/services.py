"""Writes of the visit counter: one statement per counted page view, and the roll-up of past days."""

from __future__ import annotations

import hashlib
import hmac
from contextlib import nullcontext
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from .models import DailyVisits, VisitorDigest

DIGEST_BYTES = 16


def day_salt(day: date) -> bytes:
    """The salt of `day`: derived from SECRET_KEY and the day, never stored, different every day."""
    return hmac.new(settings.SECRET_KEY.encode(), f"visits:salt:{day.isoformat()}".encode(), hashlib.sha256).digest()


def visitor_digest(*, unit_id: int, day: date, ip: str, user_agent: str) -> str:
    """Who visited, as a keyed digest: equal for the same site, day, address and browser; unlinkable across days."""
    message = f"{unit_id}\x1f{day.isoformat()}\x1f{ip}\x1f{user_agent}".encode()
    return hmac.new(day_salt(day), message, hashlib.sha256).digest()[:DIGEST_BYTES].hex()


def _public_table(model) -> str:
    quote = connection.ops.quote_name
    return f"{quote(settings.PUBLIC_SCHEMA_NAME)}.{quote(model._meta.db_table)}"


def _count_sql() -> str:
    # One round trip: the digest is inserted unless the visitor was seen today, and the day's row is
    # created or incremented in the same statement (a new digest adds one unique visitor).
    digests, daily = _public_table(VisitorDigest), _public_table(DailyVisits)
    return (
        f"WITH visitor AS (INSERT INTO {digests} (unit_id, day, digest) VALUES (%s, %s, %s) "
        "ON CONFLICT DO NOTHING RETURNING 1) "
        f"INSERT INTO {daily} AS daily (unit_id, day, views, unique_visitors) "
        "VALUES (%s, %s, 1, (SELECT count(*) FROM visitor)) "
        "ON CONFLICT (unit_id, day) DO UPDATE SET views = daily.views + 1, "
        "unique_visitors = daily.unique_visitors + EXCLUDED.unique_visitors"
    )


def record_visit(*, unit_id: int, ip: str, user_agent: str, day: date | None = None) -> None:
    """Count one page view of the site `unit_id` today. Raises django.db.DatabaseError on a database failure
    (inside a transaction, only the savepoint is rolled back)."""
    day = day or timezone.localdate()
    digest = visitor_digest(unit_id=unit_id, day=day, ip=ip, user_agent=user_agent)
    # Outside a transaction the statement runs on its own (no BEGIN/COMMIT round trips); inside one a
    # savepoint keeps a failure from breaking the rest of the request's transaction.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with guard, connection.cursor() as cursor:
        cursor.execute(_count_sql(), [unit_id, day, digest, unit_id, day])


def roll_up(*, now: datetime | None = None) -> int:
    """Collapse the visitor digests of every day before today into their DailyVisits rows and delete them.

    A day not rolled up yet gets its unique visitors recounted from its digests; digests of a day already
    rolled up (a request that straddled midnight) are only deleted. Returns the number of days rolled up.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        past = VisitorDigest.objects.filter(day__lt=today)
        counts = {
            (row["unit_id"], row["day"]): row["n"] for row in past.values("unit_id", "day").annotate(n=Count("digest")).order_by()
        }
        open_days = DailyVisits.objects.select_for_update().filter(day__lt=today, rolled_up_at__isnull=True)
        rolled = 0
        for daily in open_days:
            daily.unique_visitors = counts.get((daily.unit_id, daily.day), daily.unique_visitors)
            daily.rolled_up_at = now
            daily.save(update_fields=["unique_visitors", "rolled_up_at"])
            rolled += 1
        # One statement: nothing refers to a digest, and no signal needs to see them go.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_public_table(VisitorDigest)} WHERE day < %s", [today])
    return rolled


def record_day(*, unit_id: int, day: date, views: int, unique_visitors: int, now: datetime | None = None) -> DailyVisits:
    """A finished day's figures, written directly (the demo's history; an import of figures kept elsewhere)."""
    if views < 0 or unique_visitors < 0 or unique_visitors > views:
        raise ValidationError("访问量不能为负数，独立访客数不能大于浏览次数")
    row, _created = DailyVisits.objects.update_or_create(
        unit_id=unit_id,
        day=day,
        defaults={"views": views, "unique_visitors": unique_visitors, "rolled_up_at": now or timezone.now()},
    )
    return row
