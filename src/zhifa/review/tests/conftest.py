import pytest

from zhifa.cases.tests.conftest import cw  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch, request):
    """Rendering a PDF takes ~1.4 s: stub it except in tests that ask for `real_pdf`."""
    if "real_pdf" in request.fixturenames:
        return
    from zhifa.core import documents

    monkeypatch.setattr(
        documents, "render_pdf", lambda doc: b"%PDF-stub " + documents.render_html(doc).encode()
    )


@pytest.fixture
def real_pdf():
    """Ask for this fixture to render real PDFs (WeasyPrint)."""
