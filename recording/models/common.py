"""What the recording models share: the classification of a record and who may see classified ones."""

from django.db import models


class Classification(models.TextChoices):
    GENERAL = "general", "一般"
    PRIVACY = "privacy", "个人隐私"
    COMMERCIAL = "commercial", "商业秘密"
    STATE_SECRET = "state", "国家秘密"


class ClassifiedQuerySet(models.QuerySet):
    def visible_to(self, user, case):
        """Records of `case` this user may see (the case itself is already visible to them): classified
        items only for those Case.may_see_classified() admits."""
        qs = self.filter(case=case)
        if case.may_see_classified(user):
            return qs
        return qs.filter(classification=Classification.GENERAL)
