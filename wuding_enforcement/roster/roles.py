"""The role groups and the model permissions each carries (admin pages need model permissions)."""

from .models import Role

# Model permissions per role (app_label.codename). Case access is per object (guardian), not here.
ROLE_PERMISSIONS = {
    Role.ADMIN: [
        f"{app}.{action}_{model}"
        for app, model in [
            ("roster", "unit"),
            ("roster", "staff"),
            ("roster", "certificate"),
            ("roster", "legalqualification"),
            # 定期培训: sessions, attendance (also imported from Excel) and the yearly minimum hours.
            ("roster", "trainingsession"),
            ("roster", "trainingattendance"),
            ("roster", "trainingrequirement"),
            ("cases", "poweritem"),
            ("cases", "calendarday"),
            ("cases", "rulesettings"),
            # The case file's filing order (recording/admin.py).
            ("recording", "filingorder"),
            ("rulebook", "rulesdocument"),
            ("rulebook", "rulesversion"),
            # 事前公开 content and the annual statistics (disclosure/admin.py).
            ("disclosure", "enforcementsubject"),
            # 行政检查's published lists, the 名录库 and its rule parameters (inspection/admin.py).
            ("inspection", "inspectionitem"),
            ("inspection", "checklistentry"),
            ("inspection", "frequencycap"),
            ("inspection", "inspectionsubject"),
            ("inspection", "entitycategory"),
            ("inspection", "marketentity"),
            ("inspection", "conflict"),
            ("inspection", "inspectionsettings"),
            ("disclosure", "procedure"),
            ("disclosure", "procedurestep"),
            ("disclosure", "serviceguide"),
            ("disclosure", "channel"),
            ("disclosure", "annualreport"),
            # 案卷评查's scoring sheet (supervision/admin.py) and legal review's catalogues (legal_review/admin.py).
            ("supervision", "evaluationcriterion"),
            ("legal_review", "majorcriterion"),
            ("legal_review", "discretionbenchmark"),
        ]
        for action in ("view", "add", "change")
    ]
    + [
        "disclosure.publish_annualreport",
        "audit.view_auditevent",
        "audit.view_auditanchor",
        "auth.view_group",
        # The read-only Case and Approval pages of /admin/ (cases/admin.py): view only, never change.
        "cases.view_case",
        "cases.view_approval",
    ],
    Role.BUREAU_HEAD: ["roster.view_staff", "roster.view_certificate"],
    Role.UNIT_HEAD: [],
    Role.OFFICER: [],
    Role.LEGAL_REVIEWER: [],
    Role.RECORDS_KEEPER: [],
}


def sync_role_groups(using="default"):
    """Create the role groups and give them their model permissions (idempotent; run after migrate)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # post_migrate reaches roster before the apps listed after it (cases): create their permissions now,
    # or the role would silently miss them on a fresh database.
    for label in sorted({dotted.split(".")[0] for perms in ROLE_PERMISSIONS.values() for dotted in perms}):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is not None:
                wanted.append(perm)
        current = set(group.permissions.values_list("pk", flat=True))
        missing = [p for p in wanted if p.pk not in current]
        if missing:
            group.permissions.add(*missing)
