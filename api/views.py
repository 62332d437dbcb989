"""接口令牌: a person creates, sees and revokes their own API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api import rules, services
from api.forms import TokenForm
from api.problems import problem_response
from schools.scoping import grants_of


def _require_role(request: HttpRequest) -> None:
    if not (request.user.is_superuser or grants_of(request.user)):
        raise PermissionDenied


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    new_token = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, new_token = services.issue_token(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            lifetime_days=form.cleaned_data["lifetime_days"],
            submission_key=form.cleaned_data["submission_key"],
        )
        if new_token is None:
            messages.warning(
                request,
                f"这份表单已提交过，令牌 {token.prefix}… 已在第一次提交时创建，未重复创建。"
                "令牌只显示一次：如未复制，请吊销它并新建。",
            )
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": services.token_qs_for(user=request.user),
            "scope_labels": rules.SCOPES,
            "docs_url": reverse("api:v1:openapi-view"),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(services.token_qs_for(user=request.user), pk=pk)
    if services.revoke_token(token=token, by=request.user):
        messages.success(request, f"令牌 {token.prefix}… 已吊销，使用它的请求将被拒绝。")
    return redirect("api:token-list")


def api_not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """A path under /api/v1/ that names no operation: a problem, like every other API error."""
    return problem_response(request, 404, "接口地址不存在，请对照 /api/v1/docs 中的接口列表。", slug="no-such-endpoint")
