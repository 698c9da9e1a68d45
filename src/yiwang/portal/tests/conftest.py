"""Helpers of the portal tests: files as applicants send them, a logged-in client, and the demo
province with a known password for the browser tests."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from yiwang.accounts.models import User

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "材料.pdf", body: bytes = b"") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + body, content_type="application/pdf")


def stream(content: bytes = PDF) -> io.BytesIO:
    return io.BytesIO(content)


@pytest.fixture
def client_for():
    def make(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    return make


def seed_demo_with_password(password: str, usernames: tuple[str, ...] = ("zhang.wei",)) -> None:
    """``seed-demo`` (quietly), then ``password`` for the users a browser test logs in as (the
    demo password is generated per installation)."""
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    for user in User.objects.filter(username__in=usernames):
        user.set_password(password)
        user.save(update_fields=["password"])
