from django.apps import AppConfig


class RulebookConfig(AppConfig):
    """建章立制: the register of the bureau's own rules documents, their versions, approval and filing.
    Part of the shared domain (below the three systems) so the public site and the catalogues can name the
    register entry that approved their current version."""

    name = "wuding_enforcement.rulebook"
    label = "rulebook"
    verbose_name = "制度文件"
