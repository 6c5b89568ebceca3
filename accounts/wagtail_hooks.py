"""Registrations only: the screens live in accounts/views.py."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import log_actions, urls
from .permissions import may_manage_logins


@hooks.register("register_log_actions")
def register_accounts_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_urls")
def register_accounts_urls():
    return [path("accounts/", include(urls, namespace="accounts"))]


class LoginsMenuItem(MenuItem):
    """登录锁定: the unit administrator in a unit's admin, the information centre in the public schema's."""

    def is_shown(self, request):
        return may_manage_logins(request.user)


@hooks.register("register_settings_menu_item")
def register_logins_menu_item():
    return LoginsMenuItem("登录锁定", reverse("accounts:logins"), name="logins", icon_name="lock", order=900)


@hooks.register("register_account_menu_item")
def register_second_factor_account_item(request):
    return {
        "url": reverse("accounts:otp_status"),
        "label": "双因素认证",
        "help_text": "绑定手机上的身份验证器，生成备用验证码。",
    }
