"""Tests for yiwang.core.gm: SM3, SM4 and SM2 against the published examples. No database."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import sm2 as gmssl_sm2  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core import gm
from yiwang.core.gm import (
    SM2_DEFAULT_USER_ID,
    SM3,
    GmError,
    generate_sm2_keypair,
    generate_sm4_key,
    normalize_sm2_public_key,
    sha256_and_sm3,
    sm2_public_key,
    sm2_sign,
    sm2_verify,
    sm3_hex,
    sm4_decrypt,
    sm4_encrypt,
)

N = int(gmssl_sm2.default_ecc_table["n"], 16)

# --- SM3 (GB/T 32905-2016, Appendix A) ---------------------------------------------------------

SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD_16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm3_standard_examples():
    assert sm3_hex(b"abc") == SM3_ABC
    assert sm3_hex(b"abcd" * 16) == SM3_ABCD_16


def test_sm3_streaming_equals_one_shot_and_digest_does_not_end_it():
    hasher = SM3()
    hasher.update(b"ab")
    assert hasher.hexdigest() == sm3_hex(b"ab")
    hasher.update(b"c")  # still usable after hexdigest()
    assert hasher.hexdigest() == SM3_ABC
    assert hasher.digest() == bytes.fromhex(SM3_ABC)
    clone = hasher.copy()
    clone.update(b"d")
    assert hasher.hexdigest() == SM3_ABC and clone.hexdigest() == sm3_hex(b"abcd")
    assert SM3(b"abc").hexdigest() == SM3_ABC
    assert (hasher.name, hasher.digest_size, hasher.block_size) == ("sm3", 32, 64)


@given(st.lists(st.binary(max_size=200), max_size=20))
def test_sha256_and_sm3_in_one_pass(chunks):
    whole = b"".join(chunks)
    assert sha256_and_sm3(iter(chunks)) == (hashlib.sha256(whole).hexdigest(), sm3_hex(whole))


def test_sha256_and_sm3_of_nothing():
    assert sha256_and_sm3([]) == (hashlib.sha256(b"").hexdigest(), sm3_hex(b""))
    assert sm3_hex(b"") == "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"


# --- SM4 (GB/T 32907-2016) ---------------------------------------------------------------------


def test_sm4_standard_example_through_cryptography():
    # GB/T 32907-2016 Appendix A.1: one block, key = plaintext.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex() == (
        "681edf34d206965e86b3e94f536e4246"
    )


@settings(max_examples=50)
@given(st.binary(max_size=300), st.binary(max_size=40))
def test_sm4_gcm_round_trip(plaintext, associated):
    key = generate_sm4_key()
    token = sm4_encrypt(key, plaintext, associated)
    assert len(token) == 12 + len(plaintext) + 16
    assert sm4_decrypt(key, token, associated) == plaintext


def test_sm4_gcm_uses_a_fresh_nonce():
    key = generate_sm4_key()
    first, second = sm4_encrypt(key, b"same"), sm4_encrypt(key, b"same")
    assert first[:12] != second[:12] and first != second


def test_sm4_gcm_detects_any_flipped_bit():
    key = generate_sm4_key()
    token = sm4_encrypt(key, "律师执业证号 14101200012345678".encode(), b"case:42")
    for position in range(len(token)):  # nonce, body and tag alike
        tampered = bytearray(token)
        tampered[position] ^= 0x01
        with pytest.raises(GmError) as info:
            sm4_decrypt(key, bytes(tampered), b"case:42")
        assert info.value.code == "gm.sm4.token"


def test_sm4_gcm_refuses_other_key_other_context_and_short_tokens():
    key = generate_sm4_key()
    token = sm4_encrypt(key, b"secret", b"case:42")
    for bad_key, bad_ad in ((generate_sm4_key(), b"case:42"), (key, b"case:43"), (key, b"")):
        with pytest.raises(GmError, match="篡改"):
            sm4_decrypt(bad_key, token, bad_ad)
    with pytest.raises(GmError, match="过短"):
        sm4_decrypt(key, token[:27])
    with pytest.raises(GmError) as info:
        sm4_encrypt(b"short", b"x")
    assert info.value.code == "gm.sm4.key"


# --- SM2 (GB/T 32918-2016) ---------------------------------------------------------------------

# The recommended-curve example key of GM/T 0003.5-2012 (d = 3945208F…, K = 59276E27…) with the
# default ID 1234567812345678: the signature test vector shared by GmSSL and other implementations.
EXAMPLE_D = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
EXAMPLE_PUBLIC = (
    "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
)
EXAMPLE_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
EXAMPLE_SIGNATURE = (
    "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
    "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"
)


def test_sm2_standard_example_key_and_signature():
    assert sm2_public_key(EXAMPLE_D) == EXAMPLE_PUBLIC
    assert sm2_public_key(EXAMPLE_D.upper()) == EXAMPLE_PUBLIC
    # The example public key's X starts with '0': given with the 04 prefix it is exactly the
    # input gmssl's constructor mangles (lstrip("04") eats "040").
    for form in (EXAMPLE_PUBLIC, "04" + EXAMPLE_PUBLIC, ("04" + EXAMPLE_PUBLIC).upper()):
        assert sm2_verify(form, b"message digest", EXAMPLE_SIGNATURE)
        assert sm2_verify(form, b"message digest", EXAMPLE_SIGNATURE.upper())
    assert not sm2_verify(EXAMPLE_PUBLIC, b"message digest!", EXAMPLE_SIGNATURE)


def test_sm2_sign_draws_k_from_secrets_and_reproduces_the_standard_signature(monkeypatch):
    calls = []

    def fake_randbelow(upper: int) -> int:
        calls.append(upper)
        return EXAMPLE_K - 1

    def no_random(*args, **kwargs):
        raise AssertionError("gmssl's own K (from the random module) must never be used")

    monkeypatch.setattr(gm.secrets, "randbelow", fake_randbelow)
    monkeypatch.setattr(gmssl_sm2.func, "random_hex", no_random)
    assert sm2_sign(EXAMPLE_D, "04" + EXAMPLE_PUBLIC, b"message digest") == EXAMPLE_SIGNATURE
    assert calls == [N - 1]  # K = randbelow(n − 1) + 1, i.e. 1 ≤ K ≤ n − 1


def test_gbt_32918_2_annex_a_example_verifies_with_gmssl():
    """GB/T 32918.2-2016 Annex A.2: the example curve Fp-256 and the ID ALICE123@YAHOO.COM.

    gmssl hard-codes ID 1234567812345678 in ``verify_with_sm3`` (and gm.py supports only the
    recommended curve), so Z_A and e are computed here with gm's SM3, checked against the
    values printed in the standard, and the signature is checked with gmssl's core ``verify``.
    """
    p = "8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3"
    a = "787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498"
    b = "63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A"
    xg = "421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D"
    yg = "0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2"
    n = "8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7"
    xa = "0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A"
    ya = "7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857"
    d = "128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263"
    k = "6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F"
    r = "40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1"
    s = "6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7"
    uid = b"ALICE123@YAHOO.COM"

    za = sm3_hex((len(uid) * 8).to_bytes(2, "big") + uid + bytes.fromhex(a + b + xg + yg + xa + ya))
    assert za.upper() == "F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A"
    e = bytes.fromhex(sm3_hex(bytes.fromhex(za) + b"message digest"))
    assert e.hex().upper() == "B524F552CD82B8B028476E005C377FB19A87E6FC682D48BB5D42E3D9B9EFFE76"

    table = {"n": n, "p": p, "g": xg + yg, "a": a, "b": b}
    crypt = gmssl_sm2.CryptSM2(private_key=d, public_key=xa + ya, ecc_table=table)
    crypt.public_key = xa + ya  # (X starts with "0A": safe here only because no 04 prefix)
    assert crypt._kg(int(d, 16), table["g"]).upper() == xa + ya
    assert crypt.sign(e, k).upper() == r + s
    assert crypt.verify(r + s, e)
    assert not crypt.verify(r + s, bytes.fromhex(sm3_hex(bytes.fromhex(za) + b"message digesT")))


def test_the_default_user_id_is_the_one_gmssl_hashes():
    # Z_A over the default ID, computed independently, signs what gmssl's sign_with_sm3 signs.
    curve = gmssl_sm2.default_ecc_table
    uid = SM2_DEFAULT_USER_ID
    z = sm3_hex(
        (len(uid) * 8).to_bytes(2, "big")
        + uid
        + bytes.fromhex(curve["a"] + curve["b"] + curve["g"] + EXAMPLE_PUBLIC)
    )
    e = bytes.fromhex(sm3_hex(bytes.fromhex(z) + b"message digest"))
    crypt = gmssl_sm2.CryptSM2(private_key=EXAMPLE_D, public_key=EXAMPLE_PUBLIC)
    assert crypt.sign(e, f"{EXAMPLE_K:064x}") == EXAMPLE_SIGNATURE


def test_sm2_round_trip_and_failures():
    private, public = generate_sm2_keypair()
    assert len(private) == 64 and len(public) == 128
    assert sm2_public_key(private) == public
    data = "准予行政许可决定书 2026 第 1 号".encode()
    signature = sm2_sign(private, public, data)
    assert len(signature) == 128 and signature == signature.lower()
    assert sm2_verify(public, data, signature)
    assert sm2_verify("04" + public, data, signature)
    assert not sm2_verify(public, data + b" ", signature)
    assert not sm2_verify(public, b"", signature)
    _, other_public = generate_sm2_keypair()
    assert not sm2_verify(other_public, data, signature)


def test_sm2_signatures_differ_each_time():
    private, public = generate_sm2_keypair()
    signatures = {sm2_sign(private, public, b"same data") for _ in range(5)}
    assert len(signatures) == 5
    assert all(sm2_verify(public, b"same data", sig) for sig in signatures)


def _keypair_whose_x_starts_with(prefixes: tuple[str, ...]) -> tuple[str, str]:
    for _ in range(5000):
        private, public = generate_sm2_keypair()
        if public.startswith(prefixes):
            return private, public
    raise AssertionError("no such key in 5000 tries")  # probability < 1e-8


@pytest.mark.parametrize("prefixes", [("0", "4"), ("04",)])
def test_sm2_public_key_whose_x_starts_with_0_or_4(prefixes):
    """The gmssl constructor trap: lstrip("04") would eat these legitimate digits of X."""
    private, public = _keypair_whose_x_starts_with(prefixes)
    data = b"audit checkpoint"
    for form in (public, "04" + public):
        signature = sm2_sign(private, form, data)
        assert sm2_verify(public, data, signature)
        assert sm2_verify("04" + public, data, signature)
        assert gm._crypt(normalize_sm2_public_key(form)).public_key == public


def test_normalize_public_key_removes_exactly_one_prefix():
    assert normalize_sm2_public_key("04" + EXAMPLE_PUBLIC) == EXAMPLE_PUBLIC
    assert normalize_sm2_public_key(" " + EXAMPLE_PUBLIC.upper() + "\n") == EXAMPLE_PUBLIC
    for bad in (
        "0404" + EXAMPLE_PUBLIC,  # two prefixes
        "05" + EXAMPLE_PUBLIC,  # not the uncompressed form
        EXAMPLE_PUBLIC[:-1],
        EXAMPLE_PUBLIC[:-1] + "g",
        EXAMPLE_PUBLIC[:-1] + ("0" if EXAMPLE_PUBLIC[-1] != "0" else "1"),  # off the curve
        "",
    ):
        with pytest.raises(GmError) as info:
            normalize_sm2_public_key(bad)
        assert info.value.code == "gm.sm2.public_key"


def test_sm2_rejects_bad_keys_and_bad_signatures():
    private, public = generate_sm2_keypair()
    with pytest.raises(GmError) as info:
        sm2_sign(private, EXAMPLE_PUBLIC, b"x")
    assert info.value.code == "gm.sm2.key_mismatch"
    for bad_private in ("00" * 32, f"{N - 1:064x}", "xyz", private[:-2]):
        with pytest.raises(GmError) as info:
            sm2_sign(bad_private, public, b"x")
        assert info.value.code == "gm.sm2.private_key"
    signature = sm2_sign(private, public, b"x")
    r, s = int(signature[:64], 16), int(signature[64:], 16)
    for bad in (
        "",
        signature[:-1],
        signature + "00",
        "zz" + signature[2:],
        f"{0:064x}{s:064x}",
        f"{r:064x}{0:064x}",
        f"{r:064x}{N:064x}",
        f"{N:064x}{s:064x}",
        f"{r:064x}{s + N:064x}" if s + N < 2**256 else f"{r:064x}{2**256 - 1:064x}",
    ):
        assert not sm2_verify(public, b"x", bad)
    with pytest.raises(GmError):
        sm2_verify("04", b"x", signature)
