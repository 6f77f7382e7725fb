"""Sealing bids: encrypted to a key pair per opportunity, openable only after the deadline.

- Each opportunity has an X25519 key pair. Bids are encrypted to its public key (an
  ephemeral key pair per bid, HKDF-SHA256, AES-256-GCM), so sealing a bid never needs the
  private key.
- The private key is stored wrapped with AES-256-GCM under a key derived (HKDF-SHA256)
  from `settings.OPUS_BID_SEALING_SECRET`, or `SECRET_KEY` when that is not set.
- `open_sealed` is the only code that unwraps the private key, and it first checks the
  server clock against the deadline: before it, it raises `StillSealed`. There is no clock
  argument to pass.
- AES-GCM authenticates the ciphertext and the bid it belongs to (the ocid and the bid's
  UUID are associated data): altered or swapped ciphertext fails with `Tampered`, as does
  a stored key or nonce of the wrong length; nothing else escapes `open_sealed`, so the
  opening can set one bad envelope aside and open the others.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

ALGORITHM = "X25519-HKDF-SHA256-AES256GCM"


class StillSealed(Exception):
    """The deadline has not passed: nothing may be decrypted."""


class Tampered(Exception):
    """The stored ciphertext (or the key) is not what was sealed."""


@dataclass(frozen=True)
class KeyPair:
    public_key: bytes
    wrapped_private_key: bytes
    wrap_nonce: bytes


@dataclass(frozen=True)
class Sealed:
    ephemeral_public_key: bytes
    nonce: bytes
    ciphertext: bytes


def canonical(content: dict[str, Any]) -> bytes:
    """The exact bytes that are hashed for the receipt and encrypted."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def receipt_hash(plaintext: bytes) -> str:
    return hashlib.sha256(plaintext).hexdigest()


def _hkdf(material: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(material)


def _wrapping_key() -> bytes:
    secret = getattr(settings, "OPUS_BID_SEALING_SECRET", "") or settings.SECRET_KEY
    return _hkdf(secret.encode(), b"opus bid sealing", b"key wrapping v1")


def new_key_pair(ocid: str) -> KeyPair:
    private = X25519PrivateKey.generate()
    nonce = os.urandom(12)
    wrapped = AESGCM(_wrapping_key()).encrypt(nonce, private.private_bytes_raw(), ocid.encode())
    return KeyPair(private.public_key().public_bytes_raw(), wrapped, nonce)


def _content_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return _hkdf(shared, ephemeral_public + recipient_public, b"opus bid content v1")


def seal(public_key: bytes, plaintext: bytes, associated: bytes) -> Sealed:
    """Encrypt to the opportunity's public key (no private key involved)."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    key = _content_key(shared, ephemeral_public, public_key)
    nonce = os.urandom(12)
    return Sealed(ephemeral_public, nonce, AESGCM(key).encrypt(nonce, plaintext, associated))


def associated_data(ocid: str, bid_uuid: str) -> bytes:
    return f"{ocid}|{bid_uuid}".encode()


def open_sealed(opportunity: Any, key_row: Any, sealed_row: Any, associated: bytes) -> bytes:
    """Decrypt one bid: refuses before the opportunity's deadline by the server clock."""
    if timezone.now() < opportunity.submission_deadline:
        raise StillSealed("Bids stay sealed until the submission deadline has passed")
    try:
        private = X25519PrivateKey.from_private_bytes(
            AESGCM(_wrapping_key()).decrypt(
                bytes(key_row.wrap_nonce),
                bytes(key_row.wrapped_private_key),
                opportunity.ocid.encode(),
            )
        )
    except (InvalidTag, ValueError, TypeError) as exc:
        raise Tampered("The opportunity's sealing key cannot be unwrapped") from exc
    try:
        ephemeral_public = bytes(sealed_row.ephemeral_public_key)
        public = bytes(key_row.public_key)
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _content_key(shared, ephemeral_public, public)
        return AESGCM(key).decrypt(
            bytes(sealed_row.nonce), bytes(sealed_row.ciphertext), associated
        )
    except (InvalidTag, ValueError, TypeError) as exc:
        # A wrong tag, or a key or nonce of the wrong length or value: not what was sealed.
        raise Tampered("The stored ciphertext was altered") from exc
