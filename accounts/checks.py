"""Deployment checks (`manage.py check --deploy`): the admin network rule and the second factor."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_login_hardening(app_configs, **kwargs):
    warnings = []
    if not getattr(settings, "ADMIN_ALLOWED_NETWORKS", None):
        warnings.append(
            Warning(
                "ADMIN_ALLOWED_NETWORKS 未设置：任何网络都能访问各站点的 /admin/。",
                hint="设置为政务内网的网段，如 ADMIN_ALLOWED_NETWORKS=10.0.0.0/8,172.16.0.0/12（nginx 配置中也有同样的规则）。",
                id="accounts.W001",
            )
        )
    if not getattr(settings, "OTP_REQUIRED", False):
        warnings.append(
            Warning(
                "OTP_REQUIRED 未开启：后台登录不要求双因素认证。",
                hint="生产环境设置 OTP_REQUIRED = True。",
                id="accounts.W002",
            )
        )
    return warnings
