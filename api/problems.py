"""Errors as RFC 9457 problem details (application/problem+json), in Chinese.

Every error of the API leaves through one of the handlers installed by `install(api)`; the OpenAPI
schema documents the same answers on every operation (`document(schema)`).
"""

import logging
from http import HTTPStatus

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:eduquality:problem:"

TITLES = {
    400: "请求有误",
    401: "未认证",
    403: "无权访问",
    404: "未找到",
    405: "不支持的请求方法",
    413: "请求内容过大",
    422: "请求参数不合法",
    429: "请求过于频繁",
    500: "服务器内部错误",
}


class ProblemItem(Schema):
    field: str
    message: str
    row: int | None = None


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[ProblemItem] = []


class ApiProblem(Exception):
    """Raised by an endpoint to answer with a problem: `ApiProblem(422, "…", slug="…", errors=[…])`."""

    def __init__(self, status: int, detail: str, *, slug: str = "", errors: list[dict] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.slug = slug
        self.errors = errors or []


def problem_response(
    request: HttpRequest, status: int, detail: str, *, slug: str = "", errors: list[dict] | None = None
) -> HttpResponse:
    body = {
        "type": TYPE_BASE + (slug or HTTPStatus(status).phrase.lower().replace(" ", "-")),
        "title": TITLES.get(status, HTTPStatus(status).phrase),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "errors": errors or [],
    }
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})


# pydantic's error types → a Chinese message (the rest: 取值无效).
_MESSAGES = {
    "missing": "必填。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "float_parsing": "应为数字。",
    "bool_parsing": "应为 true 或 false。",
    "bool_type": "应为 true 或 false。",
    "string_type": "应为文本。",
    "list_type": "应为数组。",
    "dict_type": "应为对象。",
    "model_type": "应为对象。",
    "json_invalid": "不是有效的 JSON。",
    "uuid_parsing": "应为 UUID。",
    "literal_error": "不是允许的取值。",
    "enum": "不是允许的取值。",
    "extra_forbidden": "不是可接受的字段。",
}


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{'等于' if kind == 'greater_than' else ''} {context.get('ge', context.get('gt'))}。"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{'等于' if kind == 'less_than' else ''} {context.get('le', context.get('lt'))}。"
    if kind == "string_too_long":
        return f"不能超过 {context.get('max_length')} 个字符。"
    if kind == "string_too_short":
        return f"不能少于 {context.get('min_length')} 个字符。"
    if kind == "too_long":
        return f"最多 {context.get('max_length')} 项。"
    if kind == "too_short":
        return f"至少 {context.get('min_length')} 项。"
    return _MESSAGES.get(kind, "取值无效。")


def _validation_items(errors: list[dict]) -> list[dict]:
    items = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form")]
        items.append({"field": ".".join(location), "message": _field_message(error)})
    return items


def install(api) -> None:
    def on_validation(request, exc: ValidationError):
        return problem_response(
            request,
            422,
            "请求参数不合法，请按 errors 逐项修改。",
            slug="validation",
            errors=_validation_items(exc.errors),
        )

    def on_authentication(request, exc: AuthenticationError):
        response = problem_response(
            request,
            401,
            "缺少或无效的接口令牌：请在请求头 Authorization: Bearer <令牌> 中提供有效、未过期、未吊销的个人令牌。",
            slug="unauthenticated",
        )
        response["WWW-Authenticate"] = 'Bearer realm="eduquality"'
        return response

    def on_throttled(request, exc: Throttled):
        response = problem_response(request, 429, "该令牌的请求过于频繁，请稍后再试。", slug="throttled")
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    def on_http_error(request, exc: HttpError):
        status = exc.status_code
        detail = {403: "您的角色无权进行此操作。", 404: "对象不存在或您无权查看。"}.get(status, TITLES.get(status, ""))
        return problem_response(request, status, detail)

    def on_problem(request, exc: ApiProblem):
        return problem_response(request, exc.status, exc.detail, slug=exc.slug, errors=exc.errors)

    def on_not_found(request, exc):
        return problem_response(request, 404, "对象不存在或您无权查看。", slug="not-found")

    def on_forbidden(request, exc):
        return problem_response(request, 403, str(exc) or "您的角色无权进行此操作。", slug="forbidden")

    def on_error(request, exc: Exception):
        logger.exception("API error on %s", request.path)
        return problem_response(request, 500, "服务器处理请求时出错，数据未作改动。请稍后重试或联系系统管理员。")

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(Throttled, on_throttled)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(ApiProblem, on_problem)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(Exception, on_error)


# The answers every operation may give besides its own (the operation's own statuses win).
COMMON = {
    "400": "请求有误（如无效的 cursor）",
    "401": "缺少或无效的接口令牌",
    "403": "令牌的权限范围或用户的角色不允许",
    "422": "参数不合法",
    "429": "请求过于频繁",
}
ON_PATH_PARAMETERS = {"404": "对象不存在或无权查看"}
ON_WRITES = {"413": "请求内容过大"}


def document(schema: dict) -> dict:
    """Add the problem answers to every operation of an OpenAPI schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Problem", _problem_schema(components))
    reference = {"$ref": "#/components/schemas/Problem"}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            answers = dict(COMMON)
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                answers.update(ON_PATH_PARAMETERS)
            if method != "get":
                answers.update(ON_WRITES)
            responses = operation.setdefault("responses", {})
            for status, description in answers.items():
                responses.setdefault(
                    status, {"description": description, "content": {CONTENT_TYPE: {"schema": reference}}}
                )
    return schema


def _problem_schema(components: dict) -> dict:
    item = ProblemItem.model_json_schema()
    components.setdefault("ProblemItem", item)
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    problem.pop("$defs", None)
    return problem
