"""Audit-log actions of 通报 (labels in Wagtail's history, the case and 通报 screens, the audit export)."""

from __future__ import annotations

from wagtail.log_actions import LogFormatter

ACTIONS = {
    "bulletins.proposed": ("通报：监测登记", "网站监测登记为待核实情形"),
    "bulletins.refreshed": ("通报：更新事实依据", "网站监测更新事实依据"),
    "bulletins.confirmed": ("通报：确认情形", "信息中心确认情形"),
    "bulletins.dismissed": ("通报：不予认定", "信息中心不予认定"),
    "bulletins.answered": ("通报：单位答复", "单位提交答复"),
    "bulletins.drafted": ("通报：起草", "信息中心起草通报"),
    "bulletins.edited": ("通报：修改", "信息中心修改通报"),
    "bulletins.submitted": ("通报：提交审批", "提交政务公开领导小组审批"),
    "bulletins.returned": ("通报：退回修改", "政务公开领导小组退回修改"),
    "bulletins.approved": ("通报：审批通过", "政务公开领导小组审批通过"),
    "bulletins.published": ("通报：发布", "在门户网站发布"),
}


class BulletinLogFormatter(LogFormatter):
    def format_comment(self, log_entry):
        return str((log_entry.data or {}).get("comment") or "")


def register(actions) -> None:
    for action, (label, message) in ACTIONS.items():
        formatter = type("Formatter", (BulletinLogFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)


def label_of(action: str) -> str:
    return ACTIONS.get(action, (action, action))[1]
