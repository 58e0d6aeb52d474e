"""The public site's page-cache sections (the mechanism: wuding_enforcement/shared/pagecache.py). Each names the
models whose save or delete renews its pages; PUBLICATIONS is renewed by the review actions themselves (publish,
withdraw, end, expiry: a draft's saves change no public page). Imported by DisclosureConfig.ready(), so the
sections watch saves from the start. (The 裁量基准 page's section is legal_review's: legal_review/public.py.)"""

from django.db.models.signals import post_save

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
# 行政检查's published results, as the county portal embeds them (disclosure/views/embed.py).
INSPECTION_RESULTS = Section(
    "inspection-results",
    watches={"inspection.inspection", "inspection.marketentity", "inspection.inspectionitem"},
)


def publication_key(pk) -> str:
    """The page-cache object of one publication: its page and print view, renewed with it alone."""
    return f"publication:{int(pk)}"


def _publication_saved(sender, instance, **kwargs):
    """A publication that is or was public changed: the open data files are built again (outbox, after
    commit; builds still waiting coalesce, so a batch of changes costs one build)."""
    if instance.status != "draft" and not kwargs.get("raw"):
        from .open_data import request_build

        request_build()


post_save.connect(_publication_saved, sender="disclosure.Publication", dispatch_uid="disclosure.open_data")


def _inspection_saved(sender, instance, update_fields=None, **kwargs):
    """An inspection result published, corrected or withdrawn (Inspection.publish, correct_publication,
    withdraw_publication): the feed and the open data show it — the publications section (which holds the
    feed) is renewed and the files built again."""
    if kwargs.get("raw") or instance.published_at is None:
        return
    # Published (published_at), corrected (public_summary) or withdrawn (withdrawn_at).
    if update_fields is not None and not {"published_at", "public_summary", "withdrawn_at"} & set(
        update_fields
    ):
        return
    from .open_data import request_build

    PUBLICATIONS.renew()
    request_build()


post_save.connect(
    _inspection_saved, sender="inspection.Inspection", dispatch_uid="disclosure.inspection_results"
)
