"""The typed JSON API (django-ninja). Each app adds its router here."""

from ninja import NinjaAPI
from ninja.errors import ValidationError as RequestShapeError

from zhifa import __version__

api = NinjaAPI(
    title="zhifa API",
    version=__version__,
    description="行政执法三项制度平台接口",
    urls_namespace="api",
    openapi_url="/openapi.json",
)


@api.exception_handler(RequestShapeError)
def request_shape_error(request, exc: RequestShapeError):
    """A body or query that does not fit the schema: 400 with a Chinese message, like every
    other input error of the API (django-ninja's default is an English 422)."""
    return api.create_response(
        request,
        {"detail": "请求数据不符合接口格式，请按接口文档检查以下字段。", "errors": exc.errors},
        status=400,
    )


from zhifa.ledger.api import router as ledger_router  # noqa: E402 - routers after the API

api.add_router("/ledger/", ledger_router)

from zhifa.cases.api import router as cases_router  # noqa: E402

api.add_router("/cases/", cases_router)

from zhifa.disclosure.api import router as public_router  # noqa: E402

api.add_router("/public/", public_router)
