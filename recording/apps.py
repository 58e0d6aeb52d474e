from django.apps import AppConfig


class RecordingConfig(AppConfig):
    """执法全过程记录: documents (文书), audio/video evidence, the archived case file."""

    name = "recording"
    verbose_name = "执法全过程记录"

    def ready(self):
        from . import doctypes  # noqa: F401  (registers the document types)
        from .builtin_gates import register_builtin_gates

        register_builtin_gates()

        # The statutory clocks, the bureau head's approvals and the archive (case file, read-only after it).
        from . import approvals, archive, clocks, tasks_archive  # noqa: F401  (tasks_archive: the Celery task)

        clocks.register()
        approvals.register()
        archive.register()

        # Long jobs the sweeper frees when their lease is over: the case file's build registers in
        # tasks_archive; the evidence metadata job here.
        from wuding_enforcement.outbox import leases

        from .models import Evidence

        leases.register(Evidence)
