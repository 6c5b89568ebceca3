from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`make demo`: seed_demo and the sample content it fills every column with.

    Installed by the dev and test settings only; production never has it.
    """

    name = "demo"
    verbose_name = "演示数据"
