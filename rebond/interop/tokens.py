"""Creating, revoking and checking API tokens (shown once, stored hashed)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.timezone import now

from rebond import audit
from rebond.accounts.models import User
from rebond.interop.models import TOKEN_LIFETIME, ApiToken, hash_api_token, new_api_token


@transaction.atomic
def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for the clinician; return it and its clear text (shown once only)."""
    clear = new_api_token()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:80] or "API token",
        token_hash=hash_api_token(clear),
        expires_at=now() + TOKEN_LIFETIME,
    )
    audit.log(actor=user, action="interop.token.create", obj=token, clinic_id=user.clinic_id)
    return token, clear


@transaction.atomic
def revoke_token(user: User, token_id: uuid.UUID | str) -> bool:
    """Revoke one of the clinician's own live tokens; return whether one was revoked."""
    revoked = ApiToken.objects.filter(user=user, id=token_id, revoked_at__isnull=True).update(
        revoked_at=now()
    )
    if revoked:
        audit.log(
            actor=user,
            action="interop.token.revoke",
            object_type="apitoken",
            object_id=str(token_id),
            clinic_id=user.clinic_id,
        )
    return bool(revoked)


def revoke_all_tokens(user: User, *, by: User) -> int:
    """Revoke every live token of `user` (a clinician deactivated by `by`); return how many.

    Call inside the transaction of the change that needs it: each revocation is audited in it.
    """
    live = list(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("id", flat=True)
    )
    ApiToken.objects.filter(id__in=live).update(revoked_at=now())
    for token_id in live:
        audit.log(
            actor=by,
            action="interop.token.revoke",
            object_type="apitoken",
            object_id=str(token_id),
            clinic_id=user.clinic_id,
        )
    return len(live)


def user_for_token(clear: str) -> User | None:
    """Return the active clinician owning a live token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_api_token(clear), revoked_at__isnull=True, expires_at__gt=now())
        .first()
    )
    if token is None or not token.user.is_active or token.user.clinic_id is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now())
    return token.user
