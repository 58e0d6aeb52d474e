"""The government-website conventions of every public page (政府网站发展指引, 国办发〔2017〕47号): the footer's
主办单位 and identifiers, and the page metadata (SiteName, SiteDomain, SiteIDCode, ColumnName, ColumnType,
ArticleTitle, PubDate, ContentSource). Values come from settings; an empty one is left out."""

import re
from urllib.parse import quote, urlsplit

from django import template
from django.conf import settings

from disclosure import preferences

register = template.Library()

# 我为政府网站找错: the State Council's error-report platform, addressed by the host portal's 网站标识码.
ERROR_PLATFORM = "https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?sitecode="
_PSB_DIGITS = re.compile(r"\d{10,}")


@register.simple_tag
def gov_site() -> dict:
    code = settings.GOV_SITE_ID_CODE.strip()
    psb = settings.GOV_SITE_PSB.strip()
    psb_digits = _PSB_DIGITS.search(psb)
    return {
        "sponsor": settings.BUREAU_NAME,
        "name": settings.GOV_SITE_NAME.strip() or settings.BUREAU_NAME,
        "domain": settings.GOV_SITE_DOMAIN.strip() or (urlsplit(settings.PUBLIC_BASE_URL).hostname or ""),
        "id_code": code,
        "icp": settings.GOV_SITE_ICP.strip(),
        "psb": psb,
        "psb_url": (
            "https://beian.mps.gov.cn/#/query/webSearch?code=" + psb_digits.group(0) if psb_digits else ""
        ),
        "party_mark_url": settings.GOV_SITE_PARTY_MARK_URL.strip(),
        "error_url": ERROR_PLATFORM + quote(code) if code else "",
        "licence_url": settings.LICENCE_DECISIONS_URL.strip(),
    }


@register.simple_tag(takes_context=True)
def view_prefs(context):
    """The visitor's reading preferences (elder mode, font size: disclosure/preferences.py) for the page's
    root class and the header's switch; the default when the page is rendered without a request."""
    request = context.get("request")
    return preferences.read(request) if request is not None else preferences.DEFAULT
