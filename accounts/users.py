"""request.user without its lazy wrappers."""

from __future__ import annotations

from django.utils.functional import LazyObject, empty


def unwrapped(obj):
    """The object inside (possibly nested) lazy objects, evaluated.

    Wagtail's log registry looks up the model of `type(instance._wrapped)`, one level deep: a user
    wrapped twice (auth's lazy user inside another) would be silently not logged.
    """
    while isinstance(obj, LazyObject):
        if obj._wrapped is empty:
            obj._setup()
        obj = obj._wrapped
    return obj
