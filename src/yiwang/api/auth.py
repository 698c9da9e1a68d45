"""Authentication for the API: bearer tokens for machines, the session for the web."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from yiwang.accounts.tokens import user_for_token


class TokenAuth(HttpBearer):
    openapi_description = (
        "机器客户端：请求头 Authorization: Bearer <令牌>（用 yiwang tokens create 签发）"
    )

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


# Token first: a machine client sends no session and no CSRF token.
STAFF_OR_APPLICANT = [TokenAuth(), django_auth]
