from zhifa.cases.tests.conftest import cw  # noqa: F401 - reuse the case world fixture
