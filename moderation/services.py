"""Old dotted paths of queued moderation work, kept importable.

django-q2 stores a task's function by dotted path: the 会签 deadline Schedule row
(migrations/0003) runs "moderation.services.check_confirmation_deadlines", and tasks
queued before the features moved name the functions below. The code lives in
moderation.confirmation.services.
"""

from .confirmation.services import (
    apply_confirmation_decision,
    check_confirmation_deadlines,
    receive_confirmation_request,
    receive_withdrawal,
    send_confirmation_overdue,
    send_confirmation_reminder,
)

__all__ = [
    "apply_confirmation_decision",
    "check_confirmation_deadlines",
    "receive_confirmation_request",
    "receive_withdrawal",
    "send_confirmation_overdue",
    "send_confirmation_reminder",
]
