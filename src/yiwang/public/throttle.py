"""A fixed-window attempt counter per client address, in the default cache.

With several server processes the default local-memory cache counts per process; a shared
cache (Redis, database) makes the limit global without a code change.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "")) or "unknown"


def allow(scope: str, request: HttpRequest, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once more than ``limit`` were made within the window."""
    key = f"yiwang:throttle:{scope}:{client_address(request)}"
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        count = 1
    return count <= limit
