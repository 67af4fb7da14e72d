"""The typed JSON API (django-ninja). Each app adds its router here."""

from ninja import NinjaAPI

from zhifa import __version__

api = NinjaAPI(
    title="zhifa API",
    version=__version__,
    description="行政执法三项制度平台接口",
    urls_namespace="api",
    openapi_url="/openapi.json",
)

from zhifa.ledger.api import router as ledger_router  # noqa: E402 - routers after the API

api.add_router("/ledger/", ledger_router)

from zhifa.cases.api import router as cases_router  # noqa: E402

api.add_router("/cases/", cases_router)
