"""Chinese commercial cryptography (商用密码, “国密”) used by the platform, in one place.

* **SM3** (GB/T 32905-2016), the hash: :func:`sm3_hex`, the streaming :class:`SM3` hasher and
  :func:`sha256_and_sm3` (both digests of an uploaded file in one pass). Computed by
  ``cryptography`` (OpenSSL).
* **SM4** (GB/T 32907-2016), the block cipher, in GCM mode (authenticated encryption):
  :func:`sm4_encrypt` / :func:`sm4_decrypt`. Also ``cryptography``. The token is
  ``nonce (12 bytes) || ciphertext || tag (16 bytes)``; a fresh random nonce every time.
* **SM2** (GB/T 32918-2016), elliptic-curve signatures on the recommended 256-bit curve:
  :func:`generate_sm2_keypair`, :func:`sm2_sign`, :func:`sm2_verify`. OpenSSL, as exposed by
  ``cryptography``, has no SM2, so this uses ``gmssl`` (pure Python). Signing is “SM2 with
  SM3”: the message is hashed together with ``Z_A`` (the GB/T 32918.2 user hash over the
  signer's ID, the curve and the public key), with the default ID ``1234567812345678`` of
  GB/T 35276-2017 that ``gmssl`` hard-codes.

Keys and signatures travel as lower-case hex strings:

* private key: 64 hex digits (the scalar ``d``, 1 ≤ d ≤ n−2);
* public key: 128 hex digits ``X || Y``; :func:`sm2_verify` and :func:`sm2_sign` also accept the
  130-digit uncompressed form ``04 || X || Y``;
* signature: 128 hex digits ``r || s`` (not DER).

Two traps of ``gmssl`` 3.2.x are handled here and covered by tests:

1. ``CryptSM2.sign``/``sign_with_sm3`` take the per-signature random ``K`` as an argument and,
   when it is omitted, draw it from the non-cryptographic ``random`` module. A predictable or
   repeated ``K`` reveals the private key, so this module always passes
   ``K = secrets.randbelow(n - 1) + 1``.
2. The ``CryptSM2`` constructor removes a ``04`` prefix with ``str.lstrip("04")``, which strips
   *every* leading ``0`` and ``4`` — also the legitimate leading digits of X (e.g. the
   GM/T 0003.5 example public key ``09F9…`` given as ``0409F9…`` becomes ``9F9…``), and it mangles a
   bare ``X || Y`` whose X happens to start with ``04``. Public keys are therefore normalised
   here (exactly one ``04`` prefix removed, length and curve membership checked) and set on the
   object *after* construction, so the constructor's mangling never applies.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm2 as _gmssl_sm2  # type: ignore[import-untyped]

from yiwang.core.errors import DomainError

__all__ = [
    "SM2_DEFAULT_USER_ID",
    "SM3",
    "SM4_KEY_BYTES",
    "GmError",
    "generate_sm2_keypair",
    "generate_sm4_key",
    "normalize_sm2_public_key",
    "sha256_and_sm3",
    "sm2_public_key",
    "sm2_sign",
    "sm2_verify",
    "sm3_hex",
    "sm4_decrypt",
    "sm4_encrypt",
]


class GmError(DomainError):
    """A key, token or argument that the cryptographic functions cannot use."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message, [], 400)


# ---------------------------------------------------------------------------------------------
# SM3
# ---------------------------------------------------------------------------------------------


class SM3:
    """A streaming SM3 hasher with the ``hashlib`` interface (``update``/``digest``/``hexdigest``).

    ``digest()`` and ``hexdigest()`` do not end the computation: more data may be added after.
    """

    name: Final = "sm3"
    digest_size: Final = 32
    block_size: Final = 64

    def __init__(self, data: bytes = b"") -> None:
        self._hash = hashes.Hash(hashes.SM3())
        if data:
            self._hash.update(data)

    def update(self, data: bytes) -> None:
        """Feed more bytes."""
        self._hash.update(data)

    def copy(self) -> SM3:
        """An independent hasher in the same state."""
        clone = SM3.__new__(SM3)
        clone._hash = self._hash.copy()
        return clone

    def digest(self) -> bytes:
        """The 32-byte digest of everything fed so far."""
        # cryptography's finalize() consumes the context; finalizing a copy keeps this one usable,
        # which is what hashlib users expect.
        return self._hash.copy().finalize()

    def hexdigest(self) -> str:
        """The digest as 64 lower-case hex digits."""
        return self.digest().hex()


def sm3_hex(data: bytes) -> str:
    """SM3 of ``data`` as 64 lower-case hex digits."""
    return SM3(data).hexdigest()


def sha256_and_sm3(chunks: Iterable[bytes]) -> tuple[str, str]:
    """``(sha256_hex, sm3_hex)`` of the concatenated chunks, reading them once.

    Meant for uploaded files (``sha256_and_sm3(upload.chunks())``): SHA-256 for interoperability
    with ordinary tools, SM3 because government systems are required to use it.
    """
    sha = hashlib.sha256()
    sm3 = SM3()
    for chunk in chunks:
        sha.update(chunk)
        sm3.update(chunk)
    return sha.hexdigest(), sm3.hexdigest()


# ---------------------------------------------------------------------------------------------
# SM4-GCM
# ---------------------------------------------------------------------------------------------

SM4_KEY_BYTES: Final = 16
_GCM_NONCE_BYTES: Final = 12  # the GCM standard size: no GHASH over the nonce
_GCM_TAG_BYTES: Final = 16


def generate_sm4_key() -> bytes:
    """A fresh random 128-bit SM4 key."""
    return secrets.token_bytes(SM4_KEY_BYTES)


def _check_sm4_key(key: bytes) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) != SM4_KEY_BYTES:
        raise GmError("gm.sm4.key", f"SM4 密钥必须是 {SM4_KEY_BYTES} 字节")


def sm4_encrypt(key: bytes, plaintext: bytes, associated_data: bytes = b"") -> bytes:
    """Encrypt and authenticate with SM4-GCM; returns ``nonce || ciphertext || tag``.

    ``associated_data`` is authenticated but not encrypted (e.g. the record id the plaintext
    belongs to, so a token cannot be moved to another record); the same bytes must be given to
    :func:`sm4_decrypt`.
    """
    _check_sm4_key(key)
    # A random 96-bit nonce per message; with one key, stay well below 2**32 messages.
    nonce = secrets.token_bytes(_GCM_NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(bytes(key)), modes.GCM(nonce)).encryptor()
    if associated_data:
        encryptor.authenticate_additional_data(associated_data)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def sm4_decrypt(key: bytes, token: bytes, associated_data: bytes = b"") -> bytes:
    """Check and decrypt a token made by :func:`sm4_encrypt`.

    Raises :class:`GmError` (``gm.sm4.token``) when the token was altered, truncated, made with
    another key or with other associated data: nothing is returned unless the tag matches.
    """
    _check_sm4_key(key)
    if len(token) < _GCM_NONCE_BYTES + _GCM_TAG_BYTES:
        raise GmError("gm.sm4.token", "SM4 密文过短，已损坏")
    nonce = token[:_GCM_NONCE_BYTES]
    body = token[_GCM_NONCE_BYTES:-_GCM_TAG_BYTES]
    tag = token[-_GCM_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(bytes(key)), modes.GCM(nonce, tag)).decryptor()
    if associated_data:
        decryptor.authenticate_additional_data(associated_data)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise GmError("gm.sm4.token", "SM4 密文校验失败：密文被篡改，或密钥不符") from exc


# ---------------------------------------------------------------------------------------------
# SM2
# ---------------------------------------------------------------------------------------------

#: GB/T 35276-2017 default signer ID; gmssl's ``sign_with_sm3``/``verify_with_sm3`` hard-code it.
SM2_DEFAULT_USER_ID: Final = b"1234567812345678"

_CURVE: Final[dict[str, str]] = _gmssl_sm2.default_ecc_table
_N: Final = int(_CURVE["n"], 16)
_P: Final = int(_CURVE["p"], 16)
_A: Final = int(_CURVE["a"], 16)
_B: Final = int(_CURVE["b"], 16)
_HEX_DIGITS: Final = frozenset("0123456789abcdef")


def _hex_or_none(value: object, length: int) -> str | None:
    """``value`` lower-cased if it is a string of exactly ``length`` hex digits, else None."""
    if not isinstance(value, str) or len(value) != length:
        return None
    lowered = value.lower()
    return lowered if set(lowered) <= _HEX_DIGITS else None


def normalize_sm2_public_key(public_hex: str) -> str:
    """The canonical form of an SM2 public key: 128 lower-case hex digits ``X || Y``.

    Accepts ``X || Y`` (128 hex digits) or ``04 || X || Y`` (130); exactly one ``04`` prefix is
    removed, never more (see trap 2 in the module docstring). Raises :class:`GmError`
    (``gm.sm2.public_key``) unless the point lies on the SM2 curve.
    """
    text = public_hex.strip() if isinstance(public_hex, str) else public_hex
    if isinstance(text, str) and len(text) == 130 and text[:2] == "04":
        text = text[2:]
    key = _hex_or_none(text, 128)
    if key is None:
        raise GmError(
            "gm.sm2.public_key", "SM2 公钥格式错误：应为 128 位十六进制 X||Y，或以 04 开头的 130 位"
        )
    x, y = int(key[:64], 16), int(key[64:], 16)
    if x >= _P or y >= _P or (y * y - (x * x * x + _A * x + _B)) % _P != 0:
        raise GmError("gm.sm2.public_key", "SM2 公钥无效：该点不在 SM2 曲线上")
    return key


def _private_scalar(private_hex: str) -> int:
    key = _hex_or_none(private_hex.strip() if isinstance(private_hex, str) else private_hex, 64)
    d = int(key, 16) if key is not None else 0
    if not 1 <= d <= _N - 2:
        raise GmError("gm.sm2.private_key", "SM2 私钥格式错误：应为 64 位十六进制，且 1 ≤ d ≤ n−2")
    return d


def _crypt(public_xy: str, d: int | None = None) -> _gmssl_sm2.CryptSM2:
    """A gmssl ``CryptSM2`` holding exactly the given (already normalised) public key."""
    crypt = _gmssl_sm2.CryptSM2(private_key="" if d is None else f"{d:064x}", public_key=public_xy)
    # Trap 2: the constructor may have mangled the key with lstrip("04"); put it back verbatim.
    crypt.public_key = public_xy
    return crypt


def _public_from_scalar(d: int) -> str:
    # gmssl has no public "derive the public key" function; _kg (scalar multiplication k·P) is
    # the primitive its own sign/verify use. The version is pinned below 4 in pyproject.
    point: str = _crypt("", d)._kg(d, _CURVE["g"])
    return point.lower()


def sm2_public_key(private_hex: str) -> str:
    """The public key ``X || Y`` (128 hex digits) of a private key."""
    return _public_from_scalar(_private_scalar(private_hex))


def generate_sm2_keypair() -> tuple[str, str]:
    """A new SM2 key pair ``(private_hex, public_hex)`` from the operating system's CSPRNG.

    ``private_hex`` is 64 hex digits, ``public_hex`` 128 (``X || Y``, without the ``04`` prefix).
    """
    d = secrets.randbelow(_N - 2) + 1  # 1 ≤ d ≤ n−2 (GB/T 32918.1 §6.1)
    return f"{d:064x}", _public_from_scalar(d)


def sm2_sign(private_hex: str, public_hex: str, data: bytes) -> str:
    """Sign ``data`` (SM2 with SM3 and the default ID); returns 128 hex digits ``r || s``.

    The public key enters the signed digest (``Z_A``), so it must belong to the private key:
    a mismatch raises :class:`GmError` (``gm.sm2.key_mismatch``) instead of producing a
    signature that could never be verified. Every call uses a fresh random ``K`` from
    :mod:`secrets`, so two signatures of the same data differ.
    """
    d = _private_scalar(private_hex)
    public_xy = normalize_sm2_public_key(public_hex)
    if _public_from_scalar(d) != public_xy:
        raise GmError("gm.sm2.key_mismatch", "SM2 公钥与私钥不匹配")
    crypt = _crypt(public_xy, d)
    while True:
        # Trap 1: never let gmssl pick K (it would use the `random` module).
        k = secrets.randbelow(_N - 1) + 1  # 1 ≤ K ≤ n−1
        signature: str | None = crypt.sign_with_sm3(data, f"{k:064x}")
        # gmssl returns None for the rare K that gives r = 0, r + K = n or s = 0: draw again.
        if signature is not None:
            return signature.lower()


def sm2_verify(public_hex: str, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (128 hex digits ``r || s``) is a valid SM2-with-SM3 signature of
    ``data`` under ``public_hex`` (default ID).

    A malformed signature is simply not valid (False); a malformed public key is the caller's
    configuration error and raises :class:`GmError`.
    """
    public_xy = normalize_sm2_public_key(public_hex)
    sig = _hex_or_none(signature, 128)
    if sig is None:
        return False
    r, s = int(sig[:64], 16), int(sig[64:], 16)
    # GB/T 32918.2 §7.1 B1–B2; gmssl does not check the ranges, and without the check on s an
    # s + n (when it fits in 64 digits) would verify as well as s.
    if not (1 <= r <= _N - 1 and 1 <= s <= _N - 1):
        return False
    try:
        return bool(_crypt(public_xy).verify_with_sm3(sig, data))
    except (TypeError, ValueError):
        # gmssl fails this way when an intermediate point is the point at infinity.
        return False
