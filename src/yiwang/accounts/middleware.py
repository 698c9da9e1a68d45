"""Sending a visitor whose login has ended to the login page, to come back where they were.

``login_required`` answers with a redirect to the login page. An htmx request would follow it
inside the page and swap the login form into, say, a material's card; it is told instead to
load the login page (``HX-Redirect``), with ``next`` the page the visitor was on rather than
the address the request was sent to, which may take POSTs only. The login page then says that
the login has expired.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from yiwang.core.middleware import is_htmx

EXPIRED = "登录已过期，请重新登录"


class LoginRedirects:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 302 or request.user.is_authenticated:
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login_path:
            return response
        htmx = is_htmx(request)
        # A session cookie the server no longer knows: the session ended (a logout deletes it).
        ended = settings.SESSION_COOKIE_NAME in request.COOKIES and not request.session.session_key
        if htmx or ended:
            messages.warning(request, EXPIRED)
        page = _page_the_visitor_was_on(request)
        if htmx:
            answer = HttpResponse(status=401)
            answer["HX-Redirect"] = redirect_to_login(page or request.get_full_path())["Location"]
            return answer
        if page:
            return redirect_to_login(page)
        return response


def _page_the_visitor_was_on(request: HttpRequest) -> str:
    """The page (path and query) that sent the request, when it is not that page's own load."""
    if is_htmx(request):
        sender = request.headers.get("HX-Current-URL", "")
    elif request.method not in ("GET", "HEAD"):
        sender = request.headers.get("Referer", "")
    else:
        return ""
    if not sender or not url_has_allowed_host_and_scheme(
        sender, {request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(sender)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
