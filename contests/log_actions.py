"""Audit-log actions of 评比 (labels in Wagtail's history, the contest screen and the audit export)."""

from __future__ import annotations

from wagtail.log_actions import LogFormatter

ACTIONS = {
    "contests.created": ("评比：创建", "创建评比活动"),
    "contests.edited": ("评比：修改", "修改评比活动"),
    "contests.nominated": ("评比：申报", "单位申报作品"),
    "contests.withdrawn": ("评比：撤回申报", "单位撤回申报"),
    "contests.scored": ("评比：评分", "评委评分"),
    "contests.rescored": ("评比：修改评分", "评委修改评分"),
    "contests.published": ("评比：公布结果", "公布评比结果"),
}


class ContestLogFormatter(LogFormatter):
    def format_comment(self, log_entry):
        return str((log_entry.data or {}).get("comment") or "")


def register(actions) -> None:
    for action, (label, message) in ACTIONS.items():
        formatter = type("Formatter", (ContestLogFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)


def label_of(action: str) -> str:
    return ACTIONS.get(action, (action, action))[1]
