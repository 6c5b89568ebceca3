from django.apps import AppConfig


class VotingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "voting"
    verbose_name = "网站考评专栏（公众投票）"
