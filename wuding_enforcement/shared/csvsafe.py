"""CSV (and spreadsheet) cells that a spreadsheet will not run as a formula (OWASP "CSV injection"): a text
value beginning with =, +, -, @, a tab or a carriage return is prefixed with an apostrophe, which Excel, WPS and
LibreOffice show as text. Numbers stay numbers (a negative amount is not text). Every CSV the portal writes goes
through `writer()`; spreadsheet cells of exported text through `cell()`."""

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose rows are neutralised cell by cell."""

    def __init__(self, stream, **kwargs):
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, **kwargs) -> SafeWriter:
    return SafeWriter(stream, **kwargs)


__all__ = ["FORMULA_STARTS", "SafeWriter", "cell", "writer"]
