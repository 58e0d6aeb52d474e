"""Models of the public site (行政执法公示), one module per part of docs/domain.md §1:

- catalogue.py      事前公开: subjects, the random-inspection list, procedures, service guides, channels;
- annual.py         年度行政执法统计: the yearly report and its 31 January deadline;
- publication.py    事后公开: the publication of a 行政处罚决定书, its QuerySet (public lists, search) and review
                    actions; redactions.py its redaction log; error_reports.py 纠错 and their answers;
- credit.py         报送信用信息公示系统: the exports, their rows and files.
"""

from .annual import ANNUAL_REPORT_DUE, ANNUAL_REPORT_WARN_DAYS, AnnualReport, annual_report_due
from .catalogue import (
    Channel,
    ChannelKind,
    EnforcementSubject,
    Procedure,
    ProcedureStep,
    PublicContent,
    PublicQuerySet,
    ServiceGuide,
)
from .changes import CHANGE_KINDS, ChangeSource, DecisionChange
from .credit import (
    CreditExport,
    CreditExportFile,
    CreditExportFormat,
    CreditExportLine,
    CreditExportQuerySet,
    CreditLineKind,
)
from .error_reports import ErrorReport, ErrorReportStatus
from .exemptions import (
    GROUND_BASIS,
    ExemptionGround,
    ExemptionStatus,
    PublicationExemption,
    pending_exemption_gate,
)
from .publication import (
    EARLY_END_CONDITIONS,
    LISTED_STATUSES,
    NO_EARLY_END_TYPES,
    ONCE_PUBLISHED,
    EndKind,
    Publication,
    PublicationQuerySet,
    PublicationStatus,
    WithdrawalKind,
)
from .redactions import Redaction, RedactionSource

__all__ = [
    "CHANGE_KINDS",
    "ChangeSource",
    "DecisionChange",
    "GROUND_BASIS",
    "ExemptionGround",
    "ExemptionStatus",
    "PublicationExemption",
    "pending_exemption_gate",
    "ANNUAL_REPORT_DUE",
    "ANNUAL_REPORT_WARN_DAYS",
    "EARLY_END_CONDITIONS",
    "LISTED_STATUSES",
    "NO_EARLY_END_TYPES",
    "ONCE_PUBLISHED",
    "AnnualReport",
    "Channel",
    "ChannelKind",
    "CreditExport",
    "CreditExportFile",
    "CreditExportFormat",
    "CreditExportLine",
    "CreditExportQuerySet",
    "CreditLineKind",
    "EndKind",
    "EnforcementSubject",
    "ErrorReport",
    "ErrorReportStatus",
    "Procedure",
    "ProcedureStep",
    "PublicContent",
    "PublicQuerySet",
    "Publication",
    "PublicationQuerySet",
    "PublicationStatus",
    "Redaction",
    "RedactionSource",
    "ServiceGuide",
    "WithdrawalKind",
    "annual_report_due",
]
