"""E-mail of the portal index to the information centre (public schema)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tenants.hosts import portal_base_url
from tenants.mail import send_to_centre


def notify_outbox_backlog(*, alert, minutes: int) -> int:
    """Tell the centre's superusers that the portal index has fallen behind (once per episode)."""
    oldest = timezone.localtime(alert.oldest_created_at)
    subject = f"门户索引待办积压超过 {minutes} 分钟"
    body = (
        f"门户检索索引有待办超过 {minutes} 分钟仍未处理：最早一条创建于 {oldest:%Y-%m-%d %H:%M}，"
        f"其中待处理 {alert.pending} 条、已搁置 {alert.parked} 条。\n"
        "在此期间，各单位新发布的信息可能检索不到，已撤下或设为不公开的页面可能仍能检索到。\n"
        "请查看搁置原因并重试，或检查后台任务（django-q）与索引服务是否正常运行。\n"
        f"门户索引待办：{portal_base_url()}{reverse('portal_index:outbox')}"
    )
    return send_to_centre(subject=subject, body=body)
