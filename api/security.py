"""Who is calling: the bearer token (scoped), and how often they may (throttled per token)."""

from django.conf import settings
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from api import rules, services
from api.problems import ApiProblem
from schools.scoping import grants_of


class TokenAuth(HttpBearer):
    """`Authorization: Bearer eqt_…`: a usable token with `scope`, whose owner holds a role. The request
    then runs as the token's owner, so every selector scopes it exactly as it scopes the pages."""

    def __init__(self, scope: str = "read"):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token: str):
        found = services.token_for(token)
        if found is None:
            return None
        user = found.user
        if not (user.is_superuser or grants_of(user)):
            raise ApiProblem(403, "该令牌的用户没有任何角色，无权使用数据接口。", slug="no-role")
        if not rules.allows(found.scopes, self.scope):
            raise ApiProblem(
                403, f"该令牌没有“{rules.SCOPES[self.scope]}”（{self.scope}）权限范围。", slug="scope-missing"
            )
        request.user = user
        return found


READ = TokenAuth("read")
REGISTRY_WRITE = TokenAuth("registry:write")
SCORES_WRITE = TokenAuth("scores:write")


class TokenRateThrottle(SimpleRateThrottle):
    """API_RATE_LIMIT requests per period for each token (read from settings on every request)."""

    scope = "api-token"

    def __init__(self):
        super().__init__(rate=settings.API_RATE_LIMIT)

    def allow_request(self, request) -> bool:
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request) -> str | None:
        token = getattr(request, "auth", None)
        return f"throttle_api_token_{token.pk}" if token is not None else None
