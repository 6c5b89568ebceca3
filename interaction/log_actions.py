"""Audit-log actions of 互动交流 (labels in Wagtail's history, the case view and the audit export)."""

from __future__ import annotations

from wagtail.log_actions import LogFormatter

ACTIONS = {
    "interaction.received": ("互动：收到留言", "收到留言"),
    "interaction.accepted": ("互动：受理", "受理"),
    "interaction.refused": ("互动：不予受理", "不予受理"),
    "interaction.assigned": ("互动：交办", "交办"),
    "interaction.started": ("互动：开始办理", "开始办理"),
    "interaction.reply_submitted": ("互动：提交答复审核", "提交答复审核"),
    "interaction.reply_rejected": ("互动：答复退回修改", "答复退回修改"),
    "interaction.answered": ("互动：答复审核通过", "答复审核通过，已告知留言人"),
    "interaction.published": ("互动：公开答复", "公开答复"),
    "interaction.publish_refused": ("互动：公开被拦截", "公开内容未通过保密及个人信息审查"),
    "interaction.not_published": ("互动：不公开", "决定不公开"),
    "interaction.faq": ("互动：常见问题", "设置常见问题"),
    "interaction.extension_requested": ("互动：延期申请", "申请延期"),
    "interaction.extension_decided": ("互动：延期审批", "延期审批"),
    "interaction.handed_over": ("互动：转办／退回", "转交其他单位"),
    "interaction.handover_note": ("互动：转来说明", "转来说明"),
    "interaction.rated": ("互动：留言人评价", "留言人评价"),
    "interaction.followed_up": ("互动：留言人追问", "留言人追问"),
    "interaction.followup_replied": ("互动：答复追问", "答复追问"),
    "interaction.hotline_update": ("互动：12345 回传", "12345 热线回传办理结果"),
}


class InteractionLogFormatter(LogFormatter):
    def format_comment(self, log_entry):
        return str((log_entry.data or {}).get("comment") or "")


def register(actions) -> None:
    for action, (label, message) in ACTIONS.items():
        formatter = type("Formatter", (InteractionLogFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)


def label_of(action: str) -> str:
    return ACTIONS.get(action, (action, action))[1]
