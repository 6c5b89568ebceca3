"""Audit-log actions of the public vote (labels in Wagtail's history and the audit export)."""

from __future__ import annotations

from wagtail.log_actions import LogFormatter

ACTIONS = {
    "voting.annulled": ("网站考评：作废投票", "作废投票"),
}


class VotingLogFormatter(LogFormatter):
    def format_comment(self, log_entry):
        data = log_entry.data or {}
        return f"{data.get('count', '')} 票：{data.get('comment', '')}"


def register(actions) -> None:
    for action, (label, message) in ACTIONS.items():
        formatter = type("Formatter", (VotingLogFormatter,), {"label": label, "message": message})
        actions.register_action(action)(formatter)
