"""A visitor's reading preferences on the public site (issue 14 §6, 适老化): the elder mode (长者模式) and the
font size (标准 / 大 / 特大).

Kept in one small cookie, never in the session: a session would make every page uncacheable for that visitor
(disclosure/views/pages.py `cacheable`), and the preference must work without JavaScript. The header of every
public page links to `set_view` (disclosure/views/preferences.py), which writes the cookie and sends the visitor
back. The preference is part of the page-cache key of every page cached whole (`cache_variant`), so a cached
page always comes in the mode of the visitor who asks for it.

Measurable criteria (工信部《互联网网站适老化通用设计规范》; GB/T 37668): in the normal mode no public text is
below 16 px; in the elder mode none is below 18 px, text contrast is at least 7:1, line height at least 1.8
(the norm asks 1.3) and targets at least 48 px (the norm asks 44 px everywhere). The sizes themselves live in
static/css/public.css; the browser tests measure them (tests/e2e/test_accessibility.py).
"""

from dataclasses import dataclass

COOKIE = "wd_view"
COOKIE_MAX_AGE = 365 * 24 * 3600

# The font sizes offered, in the order of the switch: name → (label, root size in px in the normal mode).
SIZES = {"standard": ("标准", 16), "large": ("大", 18), "xlarge": ("特大", 20)}
# The elder mode adds this to every root size (its smallest text is then 18 px).
ELDER_STEP_PX = 2


@dataclass(frozen=True)
class ViewPrefs:
    elder: bool = False
    size: str = "standard"

    @property
    def key(self) -> str:
        """The preference as it enters the page-cache key (and the cookie): e.g. "elder.large"."""
        return f"{'elder' if self.elder else 'normal'}.{self.size}"

    @property
    def root_px(self) -> int:
        return SIZES[self.size][1] + (ELDER_STEP_PX if self.elder else 0)

    @property
    def html_class(self) -> str:
        return f"view-{'elder' if self.elder else 'normal'} size-{self.size}"

    def sizes(self) -> list[dict]:
        """The switch as the header shows it: each size with its label and whether it is the current one."""
        return [
            {"name": name, "label": label, "current": name == self.size} for name, (label, _) in SIZES.items()
        ]

    def changed(self, *, elder: str | None = None, size: str | None = None) -> "ViewPrefs":
        """These preferences with the values a visitor asked for; anything not understood is left as it was."""
        return ViewPrefs(
            elder={"1": True, "0": False}.get(elder or "", self.elder),
            size=size if size in SIZES else self.size,
        )


DEFAULT = ViewPrefs()


def parse(value: str | None) -> ViewPrefs:
    """The preferences a cookie value names; a missing, forged or outdated value is the default (never an
    error: the cookie comes from the visitor)."""
    mode, _, size = (value or "").partition(".")
    if mode not in ("normal", "elder") or size not in SIZES:
        return DEFAULT
    return ViewPrefs(elder=mode == "elder", size=size)


def read(request) -> ViewPrefs:
    return parse(request.COOKIES.get(COOKIE))


def cache_variant(request, variant: str) -> str:
    """The page-cache variant of a page cached whole (header included): the page's own variant and the
    visitor's preferences, so each mode and size has its own entry."""
    return f"{variant}|view={read(request).key}"
