"""The client address recorded in audit entries and counted by attempt limits."""

from __future__ import annotations

from django.test import RequestFactory

from yiwang.core.http import client_address
from yiwang.core.tests.test_project import run


def request(remote: str, forwarded: str | None = None):
    if forwarded is None:
        return RequestFactory().get("/", REMOTE_ADDR=remote)
    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says(settings):
    settings.YIWANG_TRUSTED_PROXIES = []
    assert client_address(request("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_is_taken(settings):
    settings.YIWANG_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request("10.0.0.5", "203.0.113.7")) == "203.0.113.7"
    # Two proxies of ours: the right-most address that is not ours is the client.
    assert client_address(request("10.0.0.5", "203.0.113.7, 10.1.2.3")) == "203.0.113.7"


def test_what_the_client_writes_into_the_header_itself_is_not_believed(settings):
    settings.YIWANG_TRUSTED_PROXIES = ["10.0.0.5"]
    # The client sent "X-Forwarded-For: 1.1.1.1"; our proxy appended the address it saw.
    assert client_address(request("10.0.0.5", "1.1.1.1, 203.0.113.7")) == "203.0.113.7"


def test_a_header_from_an_untrusted_peer_is_ignored(settings):
    settings.YIWANG_TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_address(request("203.0.113.9", "1.1.1.1")) == "203.0.113.9"


def test_unreadable_hops_stop_the_walk_at_the_last_known_real_hop(settings):
    settings.YIWANG_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request("10.0.0.5", "unknown, 10.0.0.7")) == "10.0.0.7"
    assert client_address(request("10.0.0.5")) == "10.0.0.5"  # no header: the proxy itself


def test_ports_and_brackets_some_proxies_add_are_taken_off(settings):
    settings.YIWANG_TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_address(request("10.0.0.5", "203.0.113.7:51234")) == "203.0.113.7"
    assert client_address(request("10.0.0.5", "[2001:db8::1]:443")) == "2001:db8::1"


def test_no_readable_peer_is_recorded_as_unknown():
    assert client_address(request("")) == ""


def test_a_misconfigured_proxy_list_stops_the_server_at_start(tmp_path):
    result = run(["check"], tmp_path, YIWANG_TRUSTED_PROXIES="10.0.0.0/8, not-an-address")
    assert result.returncode != 0
    assert "YIWANG_TRUSTED_PROXIES" in result.stderr and "not-an-address" in result.stderr
