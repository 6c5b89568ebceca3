"""Audit-log actions of logins (Wagtail's history, and the audit export of every schema)."""

from __future__ import annotations

from wagtail.log_actions import LogFormatter

ACTIONS = {
    "accounts.login": ("登录：登录成功", "登录后台"),
    "accounts.logout": ("登录：退出", "退出后台"),
    "accounts.idle_logout": ("登录：超时退出", "长时间未操作，自动退出"),
    "accounts.login_failed": ("登录：登录失败", "登录失败"),
    "accounts.locked_out": ("登录：账号锁定", "连续登录失败，账号被锁定"),
    "accounts.unlocked": ("登录：解除锁定", "解除登录锁定"),
    "accounts.otp_verified": ("登录：双因素验证通过", "通过双因素验证"),
    "accounts.otp_failed": ("登录：双因素验证失败", "双因素验证码错误"),
    "accounts.otp_enrolled": ("登录：启用双因素认证", "启用双因素认证"),
    "accounts.backup_codes": ("登录：生成备用验证码", "生成新的备用验证码"),
    "accounts.otp_reset": ("登录：重置双因素认证", "重置双因素认证"),
}


class AccountsLogFormatter(LogFormatter):
    def format_comment(self, log_entry):
        data = log_entry.data or {}
        parts = []
        if data.get("username"):
            parts.append(f"用户名：{data['username']}")
        if data.get("ip"):
            parts.append(f"地址：{data['ip']}")
        if data.get("comment"):
            parts.append(str(data["comment"]))
        return "；".join(parts)


def register(actions) -> None:
    for action, (label, message) in ACTIONS.items():
        formatter = type("Formatter", (AccountsLogFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)


def label_of(action: str) -> str:
    return ACTIONS.get(action, (action, action))[1]
