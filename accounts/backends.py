"""django-axes' lockout check, for every authentication that comes with a request."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out user name and address before any password is checked (django-axes).

    Logins through a view (Wagtail's login form, password reset) always pass the request and are
    watched. `authenticate()` without a request has no client to count against: Django's test
    client `login()` and code that checks a password itself. Those are left to the next backend
    instead of failing, as axes' own backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
