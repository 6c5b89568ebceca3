"""Signal receivers of 会签 (connected in moderation.apps)."""

from __future__ import annotations

from .services import withdraw_pending_requests


def withdraw_requests_on_cancel(sender, *, instance, user=None, **kwargs) -> None:
    withdraw_pending_requests(page=instance.content_object, user=user)
