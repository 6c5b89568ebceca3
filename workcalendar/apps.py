from django.apps import AppConfig


class WorkCalendarConfig(AppConfig):
    name = "workcalendar"
    verbose_name = "节假日安排"
    default_auto_field = "django.db.models.BigAutoField"
