"""Registrations only."""

from wagtail import hooks

from .viewsets import holiday_viewset


@hooks.register("register_admin_viewset")
def register_holiday_viewset():
    return holiday_viewset
