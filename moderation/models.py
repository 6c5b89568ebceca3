"""The models of 审核发布, defined in its features and gathered here for Django's app registry.

The app label stays `moderation` (its migrations are those of all four features). The app lives
in both the public schema and every unit schema, so every table exists everywhere; which schema
a model is used in is a convention kept by each feature's services and selectors:

* unit schema only: PlatformWorkflow, ReviewTask (workflow/); SecrecyReviewTask(+State),
  SecrecyOverride (secrecy/); CrossUnitConfirmationTask, ConfirmationTarget (confirmation/);
* public schema only (always through `tenants.context.public_schema()`):
  SensitiveWord (secrecy/), ConfirmationRequest (confirmation/).
"""

from .confirmation.models import DEFAULT_CONFIRMATION_WORKING_DAYS, ConfirmationRequest, ConfirmationTarget
from .confirmation.task import CrossUnitConfirmationTask
from .secrecy.models import SecrecyOverride, SecrecyReviewTaskState, SensitiveWord
from .secrecy.task import SecrecyReviewTask
from .workflow.models import PlatformTaskMixin, PlatformWorkflow, ReviewTask

__all__ = [
    "DEFAULT_CONFIRMATION_WORKING_DAYS",
    "ConfirmationRequest",
    "ConfirmationTarget",
    "CrossUnitConfirmationTask",
    "PlatformTaskMixin",
    "PlatformWorkflow",
    "ReviewTask",
    "SecrecyOverride",
    "SecrecyReviewTask",
    "SecrecyReviewTaskState",
    "SensitiveWord",
]
