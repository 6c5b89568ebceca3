from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Logins of every admin: lockout (django-axes), passwords, the second factor (django-otp),
    idle sessions, the login audit, the admin network rule and the security headers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "登录与账号安全"

    def ready(self):
        from . import checks, signals  # noqa: F401  (registers the system checks and the signal receivers)
