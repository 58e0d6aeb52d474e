"""The public site's page-cache sections (the mechanism: wuding_enforcement/shared/pagecache.py). Each names the
models whose save or delete renews its pages; PUBLICATIONS is renewed by the review actions themselves (publish,
withdraw, end, expiry: a draft's saves change no public page). Imported by DisclosureConfig.ready(), so the
sections watch saves from the start. (The 裁量基准 page's section is legal_review's: legal_review/public.py.)"""

from wuding_enforcement.shared.pagecache import Section

RULES_DOCUMENTS = {"rulebook.rulesdocument", "rulebook.rulesversion"}

SUBJECTS = Section("subjects", watches={"disclosure.enforcementsubject", "roster.unit"})
PERSONNEL = Section("personnel", watches={"roster.certificate", "roster.staff", "roster.unit"})
POWERS = Section("powers", watches={"cases.poweritem", "roster.unit", *RULES_DOCUMENTS})
INSPECTIONS = Section("inspections", watches={"inspection.inspectionitem", "roster.unit"})
PROCEDURES = Section(
    "procedures", watches={"disclosure.procedure", "disclosure.procedurestep", *RULES_DOCUMENTS}
)
GUIDES = Section("guides", watches={"disclosure.serviceguide", *RULES_DOCUMENTS})
CHANNELS = Section("channels", watches={"disclosure.channel", "cases.rulesettings"})
CERTIFICATE = Section("certificate", watches={"roster.certificate", "roster.staff", "roster.unit"})
STATISTICS = Section("statistics", watches={"disclosure.annualreport"})
PUBLICATIONS = Section("publications")
