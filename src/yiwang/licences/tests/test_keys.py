"""The issuing key: from the environment, else generated once beside the data; never missing in
production."""

from __future__ import annotations

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from yiwang.core.gm import generate_sm2_keypair, sm2_public_key
from yiwang.licences import keys
from yiwang.licences.models import Licence, LicenceCounter
from yiwang.licences.services import issue_for, verify
from yiwang.licences.tests.conftest import staff


def test_a_development_key_is_generated_once_with_mode_0600_and_reused(tmp_path):
    first = keys.load_signing_key({}, tmp_path, production=False)
    path = tmp_path / keys.KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == first.private_hex
    assert sm2_public_key(first.private_hex) == first.public_hex
    assert keys.load_signing_key({}, tmp_path, production=False) == first
    assert first.private_hex not in repr(first)


def test_the_process_key_lives_in_the_data_directory(settings):
    key = keys.signing_key()
    assert (settings.DATA_DIR / keys.KEY_FILE_NAME).read_text() == key.private_hex
    keys.signing_key.cache_clear()
    assert keys.signing_key() == key
    assert keys.trusted_public_keys() == {key.public_hex}


def test_the_environment_variable_wins_and_writes_no_file(tmp_path):
    private_hex, public_hex = generate_sm2_keypair()
    environ = {keys.PRIVATE_KEY_VARIABLE: f" {private_hex.upper()} "}
    for production in (False, True):
        key = keys.load_signing_key(environ, tmp_path, production=production)
        assert (key.private_hex, key.public_hex) == (private_hex, public_hex)
    assert not (tmp_path / keys.KEY_FILE_NAME).exists()


def test_production_refuses_to_run_without_the_variable(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=keys.PRIVATE_KEY_VARIABLE):
        keys.load_signing_key({}, tmp_path, production=True)
    assert not (tmp_path / keys.KEY_FILE_NAME).exists()


def test_a_malformed_key_is_refused(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=keys.PRIVATE_KEY_VARIABLE):
        keys.load_signing_key({keys.PRIVATE_KEY_VARIABLE: "abc123"}, tmp_path, production=False)
    (tmp_path / keys.KEY_FILE_NAME).write_text("not a key")
    with pytest.raises(ImproperlyConfigured, match=keys.KEY_FILE_NAME):
        keys.load_signing_key({}, tmp_path, production=False)
    with pytest.raises(ImproperlyConfigured, match=keys.PREVIOUS_KEYS_VARIABLE):
        keys.previous_public_keys({keys.PREVIOUS_KEYS_VARIABLE: "04abcd"})


def test_production_without_the_key_issues_nothing(settings, concluded_firm, province):
    case = concluded_firm()
    settings.PRODUCTION = True
    keys.signing_key.cache_clear()
    with pytest.raises(ImproperlyConfigured):
        issue_for(case, staff("henan.clerk"), province)
    assert not Licence.objects.exists() and not LicenceCounter.objects.exists()


def test_licences_signed_with_a_former_key_verify_once_it_is_listed(
    monkeypatch, concluded_firm, province
):
    old_private, old_public = generate_sm2_keypair()
    monkeypatch.setenv(keys.PRIVATE_KEY_VARIABLE, old_private)
    licence = issue_for(concluded_firm(), staff("henan.clerk"), province)
    assert licence.public_key == old_public and verify(licence).ok

    new_private, _ = generate_sm2_keypair()
    monkeypatch.setenv(keys.PRIVATE_KEY_VARIABLE, new_private)
    keys.signing_key.cache_clear()
    keys.trusted_public_keys.cache_clear()
    assert verify(licence).verdict == "invalid"
    monkeypatch.setenv(keys.PREVIOUS_KEYS_VARIABLE, f"04{old_public.upper()}")
    keys.trusted_public_keys.cache_clear()
    assert verify(licence).ok
