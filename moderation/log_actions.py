"""Custom audit-log actions of the moderation app (labels shown in Wagtail's history and reports)."""

from __future__ import annotations

from wagtail.log_actions import LogFormatter

ACTIONS = {
    "moderation.secrecy_findings": ("保密审查：发现问题", "保密审查发现需人工审查的内容"),
    "moderation.secrecy_override": ("保密审查：人工放行", "审核员对保密审查发现的问题人工放行"),
    "moderation.confirmation_targets": ("会签：指定会签单位", "指定会签单位"),
    "moderation.confirmation_requested": ("会签：发起请求", "向会签单位发起确认请求"),
    "moderation.confirmation_received": ("会签：收到请求", "收到其他单位的会签请求"),
    "moderation.confirmation_confirmed": ("会签：确认", "会签单位确认"),
    "moderation.confirmation_objected": ("会签：提出异议", "会签单位提出异议"),
    "moderation.confirmation_withdrawn": ("会签：撤回请求", "会签请求已撤回"),
    "moderation.workflow_restarted": ("审核：内容修改后重新审核", "审核期间内容被修改，从第一个环节重新审核"),
}


class ModerationLogFormatter(LogFormatter):
    def format_comment(self, log_entry):
        data = log_entry.data or {}
        return str(data.get("comment") or data.get("reason") or "")


def register(actions) -> None:
    for action, (label, message) in ACTIONS.items():
        formatter = type("Formatter", (ModerationLogFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)
