"""Server-side drawings: the flowchart of a procedure (执法流程图), bar charts of the statistics (HTML labels,
SVG bars), and the stacked bars of the supervision dashboard. No script and no style attributes (the CSP forbids inline
styles); presentation attributes (fill, stroke, font-size) are allowed. Text is escaped; long labels wrap by character (Chinese
has no spaces to wrap at)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"


def _wrap(text: str, width: int) -> list[str]:
    text = text.strip()
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def flowchart(steps) -> str:
    """A vertical flowchart: one box per step (name bold, then who acts and the time limit), arrows between.
    Drawn in a 320-unit-wide viewBox that scales to the phone's width. The text is large in drawing units
    (21 and 19) so that, scaled to a phone's column or an elder-mode page, no label renders below 18 px."""
    width, box_w, x = 320, 296, 12
    gap, line_h, pad = 30, 28, 10
    parts, y = [], 10
    boxes = []
    for index, step in enumerate(steps, start=1):
        lines = [(line, True) for line in _wrap(f"{index}. {step.name}", 12)]
        lines += [(line, False) for line in _wrap(f"承办：{step.actor}", 14)]
        if step.time_limit:
            lines += [(line, False) for line in _wrap(f"时限：{step.time_limit}", 14)]
        height = pad * 2 + line_h * len(lines)
        boxes.append((y, height, lines))
        y += height + gap
    total_h = max(y - gap + 10, 40)
    parts.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_h}" role="img" '
        f'class="flowchart" aria-labelledby="flow-title"><title id="flow-title">执法流程图，共{len(boxes)}个环节</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="9" markerWidth="8" markerHeight="8" '
        'orient="auto"><path d="M0,0 L10,0 L5,10 z" fill="#1d4f91"/></marker></defs>'
    )
    for i, (top, height, lines) in enumerate(boxes):
        parts.append(
            f'<rect x="{x}" y="{top}" width="{box_w}" height="{height}" rx="8" fill="#eef4fb" '
            'stroke="#1d4f91" stroke-width="1.5"/>'
        )
        for n, (text, bold) in enumerate(lines):
            ty = top + pad + line_h * (n + 1) - 6
            weight = ' font-weight="700"' if bold else ""
            size = "21" if bold else "19"
            fill = "#0f2f57" if bold else "#333333"
            parts.append(
                f'<text x="{x + 12}" y="{ty}" font-family="{FONT}" font-size="{size}" fill="{fill}"{weight}>'
                f"{escape(text)}</text>"
            )
        if i < len(boxes) - 1:
            y1, y2 = top + height, boxes[i + 1][0]
            parts.append(
                f'<line x1="{width / 2}" y1="{y1}" x2="{width / 2}" y2="{y2 - 2}" stroke="#1d4f91" '
                'stroke-width="2" marker-end="url(#arrow)"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def bar_chart(rows, *, title: str) -> str:
    """Horizontal bars (label, value) scaled to the largest value; a value of 0 shows an empty bar and "0".

    The labels and values are HTML text, not SVG text: they take the page's font size (the public site's
    font-size switch and elder mode), wrap instead of being cut off (a label such as "重大执法决定法制审核" once
    lost its first character to a fixed label column), and are read by screen readers as a list. Only each bar
    is a small SVG (presentation attributes: the CSP forbids inline styles), hidden from assistive technology."""
    rows = list(rows)
    biggest = max((float(v) for _, v in rows), default=0) or 1
    parts = [f'<ul class="bars" aria-label="{escape(title)}">']
    for label, value in rows:
        length = round(100 * float(value) / biggest, 1)
        parts.append(
            f'<li><span class="bar-label">{escape(label)}</span>'
            '<svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
            'focusable="false"><rect width="100" height="10" fill="#eef1f5"/>'
            f'<rect width="{length}" height="10" fill="#1d4f91"/></svg>'
            f'<span class="bar-value">{escape(str(value))}</span></li>'
        )
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def stacked_bars(rows, *, title: str, series) -> str:
    """Horizontal stacked bars: rows of (label, [value per series], [url per series]); series of (name,
    colour). Each segment links to its list; the numbers are also written after the bar (and the page
    repeats them in a table). No script, no style attributes (the CSP forbids inline styles)."""
    rows = list(rows)
    width, label_w, bar_w, row_h, legend_h = 360, 92, 190, 30, 26
    height = legend_h + 8 + row_h * max(len(rows), 1)
    biggest = max((sum(values) for _, values, _ in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="sv-chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    x = 0
    for name, colour in series:
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="17" font-family="{FONT}" font-size="12" fill="#1f2933">{escape(name)}</text>'
        )
        x += 16 + 13 * len(name) + 14
    if not rows:
        parts.append(
            f'<text x="0" y="{legend_h + 22}" font-family="{FONT}" font-size="13" fill="#4a5562">无</text>'
        )
    for i, (label, values, urls) in enumerate(rows):
        y = legend_h + 8 + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 19}" text-anchor="end" font-family="{FONT}" font-size="13" '
            f'fill="#1f2933">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="18" fill="#eef1f5"/>'
        )
        start = label_w
        for (name, colour), value, url in zip(series, values, urls, strict=True):
            if not value:
                continue
            length = round(bar_w * value / biggest, 1)
            parts.append(
                f'<a href="{escape(url)}"><title>{escape(label)}：{escape(name)} {value}</title>'
                f'<rect x="{start}" y="{y + 5}" width="{length}" height="18" fill="{colour}"/></a>'
            )
            start += length
        numbers = " / ".join(str(v) for v in values)
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 19}" font-family="{FONT}" font-size="13" '
            f'fill="#0b2f5b">{escape(numbers)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
