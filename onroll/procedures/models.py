from django.db import models


class ProcedurePackVersion(models.Model):
    """One version of a procedure pack as loaded from procedure_packs/*.yaml; never edited after loading.

    A case records the row it ran under, so a later version of the pack never rewrites its history.
    """

    pack_id = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the parsed content as canonical JSON"
    )
    content = models.JSONField()
    source_file = models.CharField(max_length=200)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pack_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["pack_id", "version"], name="unique_pack_version")]

    def __str__(self):
        return f"{self.pack_id} v{self.version}"
