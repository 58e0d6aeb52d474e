"""A rolled-back issue leaves no file (issue 15, point 6): the signed PDF is written inside the issuing
transaction and removed when it rolls back — its own failure, or an enclosing transaction's — and a write
that fails half-way (a full disk) leaves no 0-byte or partial file. The number goes to the next document,
which alone has a file (wuding_enforcement/shared/storedfiles.py)."""

import errno

import pytest
import time_machine
from django.core.files.storage import FileSystemStorage
from django.db import transaction

from recording import gates
from recording.models import Document, DocumentStatus
from tests.conftest import file_case
from tests.recording.early_factories import NOW, draft, valid_input
from wuding_enforcement.shared import storedfiles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    storedfiles.discard_rolled_back()  # what the end of an earlier test's requests would have done
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(make_case, unit_head, bureau_head, officer):
    with time_machine.travel(NOW, tick=False):
        yield file_case(make_case(), unit_head, bureau_head, officer)


def _notice(case, officer):
    return draft(case, "inquiry_notice", valid_input("inquiry_notice", case)[0], by=officer)


def _files(media):
    return sorted(p for p in media.rglob("*") if p.is_file())


class Boom(Exception):
    pass


def test_a_failure_late_in_the_issue_removes_the_signed_pdf(case, officer, monkeypatch, _media):
    """The PDF was written; then a hook of the issuing transaction failed: no file stays."""

    def fail_after_issue(document, by):
        raise Boom("an after-issue hook failed")

    monkeypatch.setattr(gates, "run_after_issue", fail_after_issue)
    document = _notice(case, officer)
    with pytest.raises(Boom):
        document.issue(by=officer)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT and not document.pdf
    assert _files(_media) == []


def test_an_enclosing_transaction_that_rolls_back_takes_the_pdf_with_it(case, officer, _media):
    document = _notice(case, officer)
    with pytest.raises(Boom), transaction.atomic():
        issued = document.issue(by=officer)
        assert (_media / issued.pdf.name).exists()  # written for the row, inside the transaction
        number = issued.number
        raise Boom("the caller's later step failed")
    storedfiles.discard_rolled_back()  # what the end of the request or task does
    assert _files(_media) == []
    # The number is given again, to the one document that has a file.
    again = _notice(case, officer).issue(by=officer)
    assert again.number == number
    assert _files(_media) == [_media / again.pdf.name]


def test_a_committed_issue_keeps_its_pdf(case, officer, _media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issued = _notice(case, officer).issue(by=officer)
    assert storedfiles.discard_rolled_back() == 0
    assert (_media / issued.pdf.name).stat().st_size > 0


def test_a_pending_transaction_keeps_its_pdf_until_it_ends(case, officer, _media):
    issued = _notice(case, officer).issue(by=officer)  # the test's transaction is still open
    assert storedfiles.discard_rolled_back() == 0
    assert (_media / issued.pdf.name).exists()


def test_a_full_disk_leaves_no_zero_byte_file_and_the_draft_unissued(case, officer, monkeypatch, _media):
    def disk_full(self, name, content):
        path = self.path(name)
        path_dir = _media / name.rsplit("/", 1)[0]
        path_dir.mkdir(parents=True, exist_ok=True)
        open(path, "wb").close()  # the file is created, then the first write fails
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    document = _notice(case, officer)
    with pytest.raises(OSError, match="No space left"):
        document.issue(by=officer)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT
    assert _files(_media) == []
    assert not Document.objects.filter(status=DocumentStatus.ISSUED).exists()


def test_a_notice_whose_issue_rolls_back_leaves_no_sealed_pdf(
    reviewer, unit_head, units, monkeypatch, _media
):
    """The same rule for 督查通报: the sealed PDF goes when a later step of its issue fails."""
    import datetime

    from supervision import notices
    from supervision.models import NoticeItem, Notification, SupervisionNotice

    notice = SupervisionNotice.objects.create(title="通报", summary="请限期整改。", created_by=reviewer)
    NoticeItem.objects.create(
        notice=notice, unit=units["shishan"], problem="案卷未附送达回证", due_on=datetime.date(2026, 12, 10)
    )

    def fail(*args, **kwargs):
        raise Boom("telling the unit failed")

    monkeypatch.setattr(Notification.objects, "get_or_create", fail)
    with pytest.raises(Boom):
        notices.issue(notice, by=reviewer)
    notice.refresh_from_db()
    assert not notice.number and not notice.pdf
    assert _files(_media) == []


@pytest.mark.django_db(transaction=True)
def test_a_task_run_in_process_by_the_commit_that_queued_it_keeps_that_commits_files(
    case, officer, _media, settings
):
    """With no broker the outbox runs a queued task from the commit hook of the transaction that queued it.
    Django takes the pending hooks off the connection before running them, so the issue's own `keep` hook,
    registered after the task's, is nowhere to be seen while the task runs: the task's end must not take the
    PDF for rolled back (every demo PDF issued in a transaction that had queued a task was lost this way)."""
    from tests.ops.tasks_for_tests import note
    from wuding_enforcement.outbox import api

    settings.CELERY_TASK_ALWAYS_EAGER = True
    document = _notice(case, officer)
    with transaction.atomic():
        api.enqueue(note, "先排队的任务")  # its dispatch hook comes before the PDF's keep hook
        issued = document.issue(by=officer)
    assert (_media / issued.pdf.name).exists()
    assert storedfiles.discard_rolled_back() == 0
    assert (_media / issued.pdf.name).exists()
