"""The access log of minors' data (学生信息访问日志): who, in which role, looked at what, when,
and whether they were let in.

`log_access(request, what, allowed)` writes one row; views that show or export student data wear
`@logs_access(what)` (inside `@login_required`), which logs every request that reaches them: a
refusal (403/404) as denied, anything else as allowed. The table is append-only (see
eduquality.models.AccessLog).
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from eduquality.extensions import describe_roles
from eduquality.models import AccessLog


def _client_ip(request: HttpRequest) -> str | None:
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR") or None


def log_access(request: HttpRequest, what: str, allowed: bool) -> AccessLog:
    user = request.user if request.user.is_authenticated else None
    return AccessLog.objects.create(
        user=user,
        username=user.get_username() if user else "（未登录）",
        roles=describe_roles(user) if user else "",
        what=what[:200],
        path=request.get_full_path()[:500],
        method=request.method[:8],
        allowed=allowed,
        ip_address=_client_ip(request),
    )


def call_logged(request: HttpRequest, what: str, view: Callable, *args, **kwargs):
    """Run `view(*args, **kwargs)` for this request and log it: a refusal (403/404, raised or
    answered) as denied, anything else as allowed. The Django admin's student pages use it too."""
    try:
        response = view(*args, **kwargs)
    except (PermissionDenied, Http404):
        log_access(request, what, allowed=False)
        raise
    log_access(request, what, allowed=response.status_code < 400)
    return response


def logs_access(what: str | Callable[..., str | None]):
    """Log every request to the view. `what` is a label, or a function of the view's arguments
    returning the label (None: this request shows no student data and is not logged)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            label = what(request, *args, **kwargs) if callable(what) else what
            if label is None:
                return view(request, *args, **kwargs)
            return call_logged(request, label, view, request, *args, **kwargs)

        return wrapper

    return decorate
