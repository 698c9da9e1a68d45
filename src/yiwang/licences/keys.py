"""The platform's licence-issuing key (电子证照签发密钥): one SM2 key pair.

* ``YIWANG_LICENCE_SM2_PRIVATE_KEY`` (64 hex digits) provides the private key; the public key
  is derived from it. Production refuses to sign or verify without it.
* Outside production, when it is absent, a key is generated once into
  ``$YIWANG_DATA_DIR/licence_sm2_key`` (mode 0600) and reused, like the development secret key:
  it never enters the repository and licences stay verifiable across restarts.
* ``YIWANG_LICENCE_SM2_PREVIOUS_PUBLIC_KEYS`` (comma-separated, optional) lists the public keys
  of earlier issuing keys, so that licences signed before a key change still verify.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from yiwang.core.gm import GmError, generate_sm2_keypair, normalize_sm2_public_key, sm2_public_key
from yiwang.core.secret_files import read_or_create

PRIVATE_KEY_VARIABLE = "YIWANG_LICENCE_SM2_PRIVATE_KEY"
PREVIOUS_KEYS_VARIABLE = "YIWANG_LICENCE_SM2_PREVIOUS_PUBLIC_KEYS"
KEY_FILE_NAME = "licence_sm2_key"


@dataclass(frozen=True)
class SigningKey:
    private_hex: str
    public_hex: str

    def __repr__(self) -> str:
        # Never let the private key reach a log or a traceback.
        return f"SigningKey(public_hex={self.public_hex!r})"


def _from_hex(private_hex: str, source: str) -> SigningKey:
    try:
        public_hex = sm2_public_key(private_hex)
    except GmError as exc:
        raise ImproperlyConfigured(f"{source} 中的电子证照签发私钥无效：{exc.message}") from None
    return SigningKey(private_hex.strip().lower(), public_hex)


def _read_or_create(path: Path) -> str:
    key, _ = read_or_create(path, lambda: generate_sm2_keypair()[0])
    return key


def load_signing_key(environ: Mapping[str, str], data_dir: Path, production: bool) -> SigningKey:
    """The issuing key from ``environ``, else (not in production) from the key file under
    ``data_dir``, generated on first use. Raises ``ImproperlyConfigured`` in production without
    the variable, and for a malformed key."""
    value = environ.get(PRIVATE_KEY_VARIABLE, "").strip()
    if value:
        return _from_hex(value, f"环境变量 {PRIVATE_KEY_VARIABLE}")
    if production:
        raise ImproperlyConfigured(
            f"生产环境必须通过环境变量 {PRIVATE_KEY_VARIABLE} 提供电子证照签发私钥（SM2，64 位十六进制）"
        )
    path = data_dir / KEY_FILE_NAME
    return _from_hex(_read_or_create(path), str(path))


def previous_public_keys(environ: Mapping[str, str]) -> frozenset[str]:
    keys = set()
    for part in environ.get(PREVIOUS_KEYS_VARIABLE, "").split(","):
        if part.strip():
            try:
                keys.add(normalize_sm2_public_key(part))
            except GmError as exc:
                raise ImproperlyConfigured(
                    f"环境变量 {PREVIOUS_KEYS_VARIABLE} 中的公钥无效：{exc.message}"
                ) from None
    return frozenset(keys)


@functools.lru_cache(maxsize=1)
def signing_key() -> SigningKey:
    """The issuing key of this process (read once)."""
    return load_signing_key(os.environ, Path(settings.DATA_DIR), settings.PRODUCTION)


@functools.lru_cache(maxsize=1)
def trusted_public_keys() -> frozenset[str]:
    """Public keys whose signatures the platform vouches for: the current and earlier ones."""
    return frozenset({signing_key().public_hex}) | previous_public_keys(os.environ)
