"""The public pages' files (静态化发布): a visit reads the file, and a file never shows what
the database no longer holds (disclosure.pages)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.disclosure import pages, services, tasks
from zhifa.disclosure.models import Disclosure, PublicPage
from zhifa.disclosure.tests.conftest import published_decision


def _visit(client, d):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/portal/decisions/{d.pk}/")
    return response, len(queries)


def _file_text(d) -> str:
    return pages._file(d.pk).read_text(encoding="utf-8")


@pytest.fixture
def published(cw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return published_decision(cw, party=cw.person)


def test_a_published_page_is_written_once_committed_and_a_visit_asks_no_database(
    cw, client, published
):
    body = _file_text(published)
    assert "张某某" in body and cw.person.id_number not in body
    from_file, queries = _visit(client, published)
    assert from_file.status_code == 200 and queries == 0
    assert "Cookie" in from_file["Vary"]
    pages._file(published.pk).unlink()
    from_row, queries = _visit(client, published)
    assert queries == 1 and from_row.content == from_file.content


def test_a_withdrawal_deletes_the_file_before_it_commits_and_writes_it_after(
    cw, client, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.disclosure_withdraw(
            acting_user=cw.user("leader_a"),
            disclosure=published,
            changed_on=timezone.localdate(),
            reason="复议撤销",
        )
        # Not yet committed: no file, so no visitor can read the withdrawn decision from one.
        assert not pages._file(published.pk).exists()
    for callback in callbacks:
        callback()
    assert "撤回理由：复议撤销" in _file_text(published)
    response, queries = _visit(client, published)
    assert queries == 0 and "撤回理由：复议撤销" in response.content.decode()


def test_a_late_write_puts_the_current_page_not_the_one_it_was_scheduled_for(
    cw, published, django_capture_on_commit_callbacks
):
    leader = cw.user("leader_a")
    with django_capture_on_commit_callbacks() as first:
        services.disclosure_correct(
            acting_user=leader, disclosure=published, reason="第一次更正", text="第一版全文。"
        )
    with django_capture_on_commit_callbacks() as second:
        services.disclosure_correct(
            acting_user=leader, disclosure=published, reason="第二次更正", text="第二版全文。"
        )
    for callback in second + first:  # the first change's write runs last
        callback()
    body = _file_text(published)
    assert "第二版全文" in body and "第一版全文" not in body


def test_a_change_whose_file_cannot_be_deleted_fails_and_changes_nothing(cw, published):
    path = pages._file(published.pk)
    path.unlink()
    path.mkdir()  # unlink() of a folder fails: the old page could not be taken down
    with pytest.raises(OSError):
        services.disclosure_withdraw(
            acting_user=cw.user("leader_a"),
            disclosure=published,
            changed_on=timezone.localdate(),
            reason="复议撤销",
        )
    assert Disclosure.objects.get(pk=published.pk).status == published.status


def test_a_failed_write_after_commit_is_logged_and_visitors_read_the_row(
    cw, client, published, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(path, text):
        raise OSError("disk full")

    monkeypatch.setattr(pages, "_write_atomically", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.disclosure_correct(
            acting_user=cw.user("leader_a"), disclosure=published, reason="更正", text="新全文。"
        )
    assert "公示页面文件写入失败" in caplog.text
    assert not pages._file(published.pk).exists()
    response, queries = _visit(client, published)
    assert queries == 1 and "新全文" in response.content.decode()


def test_files_past_their_period_from_other_templates_or_damaged_are_not_served(published):
    today = published.expires_on
    assert pages._read_file(published.pk, today) is not None
    assert pages._read_file(published.pk, today + dt.timedelta(days=1)) is None
    path = pages._file(published.pk)
    text = path.read_text(encoding="utf-8")
    path.write_text("older" + text[len(pages.fingerprint()) :], encoding="utf-8")
    assert pages._read_file(published.pk, today) is None
    path.write_text("not a page file", encoding="utf-8")
    assert pages._read_file(published.pk, today) is None
    path.write_bytes(b"\xff\xfe")
    assert pages._read_file(published.pk, today) is None


def test_with_files_off_pages_are_read_from_the_database(
    cw, client, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_FILES_DIR = None
    with django_capture_on_commit_callbacks(execute=True):
        d = published_decision(cw)
    assert pages.missing_file_ids() == [] and pages.write_files([d.pk]) == 0
    response, queries = _visit(client, d)
    assert response.status_code == 200 and queries == 1


def test_the_command_writes_missing_files_and_rebuild_drops_stray_ones(cw, published):
    path = pages._file(published.pk)
    path.unlink()
    assert pages.missing_file_ids() == [published.pk]
    call_command("pages", "files", verbosity=0)
    assert pages.missing_file_ids() == [] and path.exists()
    stray = pages._file(published.pk + 1000)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("a page restored from elsewhere", encoding="utf-8")
    call_command("pages", "files", "--rebuild", verbosity=0)
    assert path.exists() and not stray.exists()


def test_the_periodic_task_writes_missing_files(cw, published):
    PublicPage.objects.filter(pk=published.pk).update(title="由任务写出")
    pages._file(published.pk).unlink()
    tasks.pages_render.call_local()
    assert "由任务写出" in _file_text(published).splitlines()[0]
