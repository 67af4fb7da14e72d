"""`zhifa serve` collects static files only when a source file changed."""

import os

from zhifa.core.management.commands import serve


def test_collectstatic_runs_again_only_after_a_source_changes(settings, tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    changing = sources / "site.css"
    changing.write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [sources]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    runs = []
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: runs.append(args))

    assert serve.collect_static_if_changed() is True
    assert serve.collect_static_if_changed() is False
    changing.write_text("body { color: navy; }")
    os.utime(changing, ns=(1, 1))
    assert serve.collect_static_if_changed() is True
    assert runs == [("collectstatic",), ("collectstatic",)]
