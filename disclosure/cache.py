"""Caching of the public pages: each page's content is cached under the "version" of every kind of data it
shows; saving such data (signals, see apps.py) gives its section a new version, so the next visitor gets a
fresh page. Versions live in the same cache (Redis in production: every process sees the new version).

Keys also carry today's date (a certificate becomes 过期 at midnight without any save) and entries expire
after CACHE_SECONDS in any case.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

CACHE_SECONDS = 10 * 60
_VERSION_KEY = "disclosure:version:{}"
_PAGE_KEY = "disclosure:page:{}:{}:{}:{}"

# What each cached section shows, by model label: a save of any of these models renews the section.
SECTIONS = {
    "subjects": {"disclosure.enforcementsubject", "roster.unit"},
    "personnel": {"roster.certificate", "roster.staff", "roster.unit"},
    "powers": {"cases.poweritem", "roster.unit", "rulebook.rulesdocument", "rulebook.rulesversion"},
    "benchmarks": {
        "legal_review.discretionbenchmark",
        "legal_review.benchmarkrange",
        "legal_review.benchmark",
        "cases.poweritem",
    },
    "inspections": {"inspection.inspectionitem", "roster.unit"},
    "procedures": {
        "disclosure.procedure",
        "disclosure.procedurestep",
        "rulebook.rulesdocument",
        "rulebook.rulesversion",
    },
    "guides": {"disclosure.serviceguide", "rulebook.rulesdocument", "rulebook.rulesversion"},
    "channels": {"disclosure.channel", "cases.rulesettings"},
    "certificate": {"roster.certificate", "roster.staff", "roster.unit"},
    "statistics": {"disclosure.annualreport"},
}


def sections_for(label: str) -> list[str]:
    return [name for name, labels in SECTIONS.items() if label in labels]


def _version(section: str) -> str:
    key = _VERSION_KEY.format(section)
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        # add() so that two first visitors agree on one version.
        if not cache.add(key, version, timeout=None):
            version = cache.get(key) or version
    return version


def bump(*sections: str) -> None:
    for section in sections:
        cache.set(_VERSION_KEY.format(section), uuid.uuid4().hex, timeout=None)


def bump_for_model(label: str) -> None:
    """Renew the sections showing `label` now and again when the transaction commits (a page rebuilt in
    between from the not-yet-committed state would otherwise stay cached under the new version)."""
    sections = sections_for(label)
    if sections:
        bump(*sections)
        transaction.on_commit(lambda: bump(*sections))


def cached_html(section: str, variant: str, build) -> str:
    """The HTML of a section's page (`variant`: e.g. the query string), built by `build()` on a miss."""
    digest = hashlib.sha256(variant.encode()).hexdigest()[:24]
    key = _PAGE_KEY.format(section, _version(section), timezone.localdate().isoformat(), digest)
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, CACHE_SECONDS)
    return html
