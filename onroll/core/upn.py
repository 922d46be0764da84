"""Unique pupil number (UPN) rules, from the DfE UPN guide (reference/rules.md section 4)."""

import re

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: I, O and S are never used
_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


class UPNError(ValueError):
    pass


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (positions 2-13, weighted 2..13)."""
    if len(body) != 12 or not body[:11].isdigit():
        raise UPNError("A UPN needs 11 digits after its check letter, then a digit or letter")
    total = 0
    for weight, char in enumerate(body, start=2):
        if char.isdigit():
            value = int(char)
        elif char in CHECK_LETTERS and weight == 13:
            value = CHECK_LETTERS.index(char)
        else:
            raise UPNError(f"'{char}' cannot appear in a UPN")
        total += weight * value
    return CHECK_LETTERS[total % 23]


def normalise(upn: str) -> str:
    return re.sub(r"\s+", "", upn or "").upper()


def is_temporary(upn: str) -> bool:
    return normalise(upn)[-1:].isalpha()


def validate(upn: str) -> str:
    """Return the UPN in canonical form, or raise UPNError saying what is wrong in plain words."""
    value = normalise(upn)
    if len(value) != 13:
        raise UPNError("Enter a UPN that is 13 characters long, like B801200005001")
    if not _SHAPE.match(value):
        raise UPNError("A UPN starts with a letter, then 11 digits, then a digit (or a letter if temporary)")
    if value[-1].isalpha() and value[-1] not in CHECK_LETTERS:
        raise UPNError(f"A temporary UPN cannot end in {value[-1]}")
    expected = check_letter(value[1:])
    if value[0] != expected:
        raise UPNError(
            f"The check letter of this UPN should be {expected}, not {value[0]}: "
            "check it was copied correctly"
        )
    return value
