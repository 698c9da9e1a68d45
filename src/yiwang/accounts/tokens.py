"""API tokens for machine clients: issued once, stored only as a digest, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from yiwang.accounts.models import ApiToken, User
from yiwang.core.errors import InvalidInput
from yiwang.core.text import NUL_MESSAGE

PREFIX = "yw_"
NAME_MAX = ApiToken._meta.get_field("name").max_length or 100


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str) -> str:
    """A new token for ``user``; the caller shows it once, it cannot be recovered later.

    ``name`` says what the token is for (the list shows nothing else to tell tokens apart), so
    it is required; InvalidInput when it is blank, too long or holds a NUL character.
    """
    name = name.strip()
    if not name:
        raise InvalidInput("token.name_required", "请写明令牌的用途，不能为空")
    if len(name) > NAME_MAX:
        raise InvalidInput("token.name_too_long", f"令牌用途不能超过 {NAME_MAX} 个字")
    if "\x00" in name:
        raise InvalidInput("token.name_invalid", f"令牌用途{NUL_MESSAGE}")
    token = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, digest=digest(token))
    return token


def user_for_token(token: str) -> User | None:
    if not token.startswith(PREFIX):
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    # Coarse last-use stamp: one write a minute at most, not one per request.
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def revoke(token_id: int) -> None:
    ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
