"""Writes of the API app: issuing and revoking personal tokens, and finding the token of a request."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from api import rules
from api.models import ApiToken
from eduquality import audit

# A token's last use is written at most this often (not on every request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_qs_for(*, user):
    """A person sees and revokes only their own tokens."""
    return ApiToken.objects.filter(user=user)


@transaction.atomic
def issue_token(
    *, user, name: str, scopes: list[str], lifetime_days: int, submission_key: str = ""
) -> tuple[ApiToken, str | None]:
    """Create a token; returns it with the plain token, which is not kept and cannot be shown again.

    A second submit of the same form (same `submission_key`) creates nothing: it returns the token the
    first one created, without its plain text (None), which nobody can read any more."""
    if submission_key:
        earlier = ApiToken.objects.filter(user=user, submission_key=submission_key).first()
        if earlier is not None:
            return earlier, None
    plain, prefix = rules.new_token()
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        digest=rules.digest(plain),
        scopes=[scope for scope in rules.SCOPES if scope in scopes],
        expires_at=timezone.now() + timedelta(days=lifetime_days),
        submission_key=submission_key,
    )
    token.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            token.save()
    except IntegrityError:
        if not submission_key:
            raise
        # The other submit of the pair won the race.
        return ApiToken.objects.get(user=user, submission_key=submission_key), None
    audit.record(actor=user, action="create", instance=token, note=f"权限：{'、'.join(token.scopes)}")
    return token, plain


def revoke_token(*, token: ApiToken, by) -> bool:
    """Revoke once; a second revoke (double submit) changes nothing."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit.record(actor=by, action="state", instance=token, note="吊销接口令牌")
    return bool(revoked)


def token_for(plain: str) -> ApiToken | None:
    """The usable token whose digest matches `plain` (its user active), or None."""
    if not plain.startswith(rules.TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=rules.digest(plain)).first()
    now = timezone.now()
    if token is None or not token.user.is_active:
        return None
    if not rules.is_usable(expires_at=token.expires_at, revoked_at=token.revoked_at, now=now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
