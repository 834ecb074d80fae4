"""Password and app-password hashing with argon2id, and generation of readable random passwords."""

from __future__ import annotations

import os
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from congvu.errors import InvalidInput

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# One hash keeps several cores and 64 MiB busy for tens of milliseconds: a burst of sign-ins (the start of a
# working day) takes turns here rather than starving every other request of the process of CPU.
_TURNS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))

MIN_PASSWORD_CHARS = 10
# No 0/O, 1/l/I: passwords get read out over the phone to civil servants.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_password(password: str) -> str:
    with _TURNS:
        return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        return False
    try:
        with _TURNS:
            return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def check_strength(password: str) -> str:
    """Refuse passwords that are too short or made of one kind of character."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD_CHARS} ký tự.",
            message_en=f"The password must have at least {MIN_PASSWORD_CHARS} characters.",
            field="password",
        )
    kinds = sum(
        (any(c.islower() for c in password), any(c.isupper() for c in password),
         any(c.isdigit() for c in password), any(not c.isalnum() for c in password))
    )
    if kinds < 2:
        raise InvalidInput(
            "Mật khẩu phải có ít nhất hai loại ký tự (chữ thường, chữ hoa, chữ số, ký hiệu).",
            message_en="The password must mix at least two kinds of characters.",
            field="password",
        )
    return password


def generate_password(length: int = 14) -> str:
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isupper() for c in candidate):
            return candidate
