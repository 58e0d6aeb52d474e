"""Every .xlsx import is refused before parsing when its zip declares too much content or an implausible
inflation ratio: a 310 KB file holding a 300 MB cell is refused without taking the memory."""

import io
import resource
import zipfile

import pytest
from openpyxl import Workbook

from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster import training, xlsx

pytestmark = pytest.mark.django_db


def _bomb(cell_bytes: int) -> bytes:
    """A valid workbook with one cell of `cell_bytes` letters (an inline string; deflates ~1000:1)."""
    wb = Workbook()
    wb.active.append(xlsx.STAFF_HEADERS)
    wb.active.append(["bomb", "X", "狮山市场监督管理所", "", "执法人员", "是"])
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b">X<", b">" + b"A" * cell_bytes + b"<", 1)
            target.writestr(item, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb():
    return _bomb(300 * 1024 * 1024)


def test_the_bomb_is_small_on_disk(bomb):
    assert len(bomb) < 400 * 1024


@pytest.mark.parametrize(
    "importer", [xlsx.import_staff, xlsx.import_certificates, training.import_attendance]
)
def test_a_decompression_bomb_is_refused_before_parsing_every_import(bomb, importer, admin_user):
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(xlsx.ImportErrors, match="压缩比异常"):
        importer(io.BytesIO(bomb), actor=admin_user)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kb < 100 * 1024  # far below the 300 MB the cell would take
    assert AuditEvent.objects.filter(action__endswith="import_refused").exists()


def test_an_ordinary_export_still_imports(admin_user, units):
    data = xlsx.export_staff(actor=admin_user)
    xlsx.check_zip_limits(data)
    assert xlsx.import_staff(io.BytesIO(data), actor=admin_user).rows >= 1


def test_a_file_that_is_not_a_zip_is_refused_as_not_xlsx():
    with pytest.raises(xlsx.ImportErrors, match="不是有效的 Excel"):
        xlsx.check_zip_limits(b"not a zip at all")
