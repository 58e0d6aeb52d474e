from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """行政执法公示: the public site."""

    name = "disclosure"
    verbose_name = "行政执法公示"

    def ready(self):
        # The public pages' cache sections, renewed when what they show is saved (disclosure/sections.py).
        # 事后公开: an issued 行政处罚决定书 opens a publication draft; an issued 送达回证 tells the draft the
        # decision was served; the case page shows the publication and withdrawal clocks.
        from recording.gates import register_after_issue
        from wuding_enforcement.cases.deadlines import register_deadline_provider

        from . import sections  # noqa: F401
        from .deadlines import publication_deadlines
        from .publication import note_service_on_issue, open_draft_on_issue

        register_after_issue(
            open_draft_on_issue, doc_types=["penalty_decision"], name="disclosure.open_draft"
        )
        register_after_issue(note_service_on_issue, doc_types=["service_receipt"], name="disclosure.served")
        register_deadline_provider(
            publication_deadlines,
            name="disclosure.publication",
            prefetch=["publications__document__superseded_by"],
        )
