"""The JSON API, version 1 (/api/v1/): one NinjaAPI whose routers read the apps through their selectors.

Every operation needs a personal token (scope `read` unless it says otherwise), is throttled per token
and answers errors as problem details; the OpenAPI 3 schema is at /api/v1/openapi.json and the
browsable page at /api/v1/docs (Swagger UI served from django-ninja's own static files, no CDN).
"""

from django.contrib.auth.decorators import login_required
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from api import problems
from api.endpoints import monitoring, other, registry
from api.security import READ, TokenRateThrottle

DESCRIPTION = """
教育教学质量提升工程管理平台的数据接口，供省级平台（学籍系统、综合素质评价、智慧教育平台）与局内看板读取数据。

- **认证**：在“接口令牌”页面创建个人令牌，请求头带 `Authorization: Bearer <令牌>`。令牌只显示一次，有到期时间与权限范围
  （`read` 读取，`registry:write` 维护学校名录，`scores:write` 上传成绩）；所见数据与令牌所属用户在页面上所见相同。
- **分页**：列表按游标分页：`?page_size=50`，下一页用返回的 `next` 作 `?cursor=`；`next` 为 null 即最后一页。
- **错误**：RFC 9457 问题详情（`application/problem+json`），`detail` 为中文说明，`errors` 逐项列出字段问题。
- **限流**：每个令牌每分钟的请求数有上限，超出返回 429 并带 `Retry-After`。
- 学生个人成绩与排名不通过接口公开；统计结果最细到班级。
"""


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 as it is: 学校名称 in the body, not \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class PortalApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return problems.document(super().get_openapi_schema(*args, **kwargs))


api = PortalApi(
    title="质量提升平台数据接口",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api:v1",
    auth=READ,
    throttle=[TokenRateThrottle()],
    renderer=ChineseJSONRenderer(),
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
    docs_url="/docs",
    docs_decorator=login_required,
)
problems.install(api)
api.add_router("", registry.router)
api.add_router("", monitoring.router)
api.add_router("", other.router)
