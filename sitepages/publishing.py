"""What must hold before any page goes live, whichever path publishes it.

Every publish in Wagtail (admin, workflow approval, scheduled publishing,
management commands, code) ends in `Page.publish(revision)`; the platform's
page types run these checks there. Apps add checks at start-up (the secrecy
review registers itself from moderation.apps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.dispatch import Signal

# Sent after a platform page saved a revision (new, or overwritten in place by the
# editor's autosave) with `page`, `revision` and `user`: review steps that were
# given for other content must not stand (moderation restarts the workflow).
content_revised = Signal()


@dataclass(frozen=True)
class PublishProblem:
    field: str
    message: str


class PublishBlocked(Exception):
    def __init__(self, problems: list[PublishProblem]):
        self.problems = problems
        super().__init__("；".join(f"{p.field}：{p.message}" for p in problems))


class PublishCheck(Protocol):
    def __call__(self, *, page, revision, user) -> list[PublishProblem]: ...


_checks: list[PublishCheck] = []


def register_publish_check(check: PublishCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def required_fields_check(*, page, revision, user) -> list[PublishProblem]:
    problems = []
    for name in getattr(page, "required_on_publish", ()):
        field = page._meta.get_field(name)
        value = getattr(page, name)
        if hasattr(value, "all") and callable(value.all):
            empty = not value.all()
        elif hasattr(value, "raw_data"):
            empty = len(value) == 0
        else:
            empty = value in (None, "", [])
        if empty:
            problems.append(PublishProblem(field=str(field.verbose_name), message="发布前必须填写"))
    return problems


register_publish_check(required_fields_check)


def problems_for(*, page, revision=None, user=None) -> list[PublishProblem]:
    problems: list[PublishProblem] = []
    for check in _checks:
        problems.extend(check(page=page, revision=revision, user=user))
    return problems


def assert_publishable(*, page, revision=None, user=None) -> None:
    problems = problems_for(page=page, revision=revision, user=user)
    if problems:
        raise PublishBlocked(problems)


Check = Callable[..., list[PublishProblem]]
