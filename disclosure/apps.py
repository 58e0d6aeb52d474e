from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """行政执法公示: the public site."""

    name = "disclosure"
    verbose_name = "行政执法公示"

    def ready(self):
        # The public pages' cache sections, renewed when what they show is saved (disclosure/sections.py).
        # 事后公开: an issued 行政处罚决定书 opens a publication draft; an issued 送达回证 tells the draft the
        # decision was served; the case page shows the publication and withdrawal clocks.
        from inspection.publication import register_public_name, register_redactor
        from recording.doctypes.decision import publication_notice
        from recording.gates import register_after_issue, register_document_gate
        from wuding_enforcement.cases.deadlines import register_deadline_provider

        from . import sections  # noqa: F401
        from .deadlines import publication_deadlines
        from .inspection_results import public_name, redact
        from .models import pending_exemption_gate
        from .publication import note_service_on_issue, open_draft_on_issue
        from .rules import notice_for

        register_after_issue(
            open_draft_on_issue, doc_types=["penalty_decision"], name="disclosure.open_draft"
        )
        # 总局令第45号 第八条: the 决定书 prints the publication notice from the publication rule, and a pending
        # request not to publish is settled before the 决定书 is issued.
        publication_notice.register(notice_for, keys=["penalty_decision"], name="disclosure.notice")
        register_document_gate(
            pending_exemption_gate, doc_types=["penalty_decision"], name="disclosure.exemption_pending"
        )
        register_after_issue(note_service_on_issue, doc_types=["service_receipt"], name="disclosure.served")
        # 行政检查: an inspection result's public text is redacted by the rules of decisions at publish().
        register_redactor(redact)
        register_public_name(public_name)
        register_deadline_provider(
            publication_deadlines,
            name="disclosure.publication",
            prefetch=["publications__document__superseded_by"],
        )
