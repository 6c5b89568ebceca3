from django.db import models


class ProbeRecord(models.Model):
    """A table in every unit schema, so the benchmark can add one migration to all of them."""

    name = models.CharField(max_length=40)

    def __str__(self) -> str:
        return self.name
