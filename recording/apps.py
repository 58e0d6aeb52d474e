from django.apps import AppConfig


class RecordingConfig(AppConfig):
    """执法全过程记录: documents (文书), audio/video evidence, the archived case file."""

    name = "recording"
    verbose_name = "执法全过程记录"

    def ready(self):
        # Gates into the shared case (mandatory AV, 先行登记保存/查封扣押 clocks) are registered here.
        pass
