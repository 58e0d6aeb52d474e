"""Gapless numbers: one counter per kind of number per year, and the bureau's number format."""

from django.conf import settings
from django.db import IntegrityError, models, transaction


class NumberSequence(models.Model):
    """One gapless counter per kind of number per year, allocated under a row lock in the caller's transaction."""

    kind = models.CharField(max_length=30)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="cases_numbersequence_kind_year_unique")
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last}"

    @classmethod
    def allocate(cls, kind: str, year: int) -> int:
        """Next number for (kind, year). Must run inside the transaction that stores the number, so a
        rollback gives the number back and the sequence has no gaps."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("NumberSequence.allocate must run inside transaction.atomic()")
        try:
            seq = cls.objects.select_for_update().get(kind=kind, year=year)
        except cls.DoesNotExist:
            try:
                with transaction.atomic():
                    cls.objects.create(kind=kind, year=year, last=0)
            except IntegrityError:
                pass  # another transaction created it first; lock theirs
            seq = cls.objects.select_for_update().get(kind=kind, year=year)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last


def format_number(word: str, year: int, seq: int) -> str:
    """武市监立〔2026〕12号 — the bureau's short name, the kind word, the year in 〔〕, the number."""
    return f"{settings.BUREAU_SHORT}{word}〔{year}〕{seq}号"
