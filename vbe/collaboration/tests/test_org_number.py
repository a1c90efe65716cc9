"""Organisation numbers: ten digits with a Luhn check digit, third digit 2 or more, written with or
without the dash or with the "16" prefix, stored as NNNNNN-NNNN; a personnummer is never accepted.
The valid numbers here are made up, their check digits computed from the algorithm below."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vbe.collaboration import org_number


def check_digit(nine: str) -> str:
    """The Luhn check digit of nine digits, written out independently of the code under test."""
    total = 0
    for i, char in enumerate(nine):
        n = int(char) * (2 if i % 2 == 0 else 1)
        total += n // 10 + n % 10
    return str((10 - total % 10) % 10)


def valid(nine: str) -> str:
    return nine + check_digit(nine)


def wrong(nine: str) -> str:
    return nine + str((int(check_digit(nine)) + 1) % 10)


def refused(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        org_number.normalise(value)
    return caught.value


def test_the_check_digit_helper_agrees_with_skatteverkets_test_numbers():
    # The same Luhn rule gives a personnummer its last digit: 199001012385 and 200001012384 are on
    # Skatteverket's list of test numbers.
    assert check_digit("900101238") == "5"
    assert check_digit("000101238") == "4"


@pytest.mark.parametrize("nine", ["802000000", "802412345", "556677889", "212000014", "969655443", "717900123"])
def test_a_valid_number_is_stored_with_a_dash(nine):
    number = valid(nine)
    expected = f"{number[:6]}-{number[6:]}"
    assert org_number.normalise(number) == expected
    assert org_number.normalise(expected) == expected
    assert org_number.normalise(f" {expected} ") == expected
    assert org_number.normalise(f"{number[:6]} {number[6:]}") == expected


def test_the_sixteen_prefix_is_stripped():
    number = valid("802000000")
    assert org_number.normalise("16" + number) == f"{number[:6]}-{number[6:]}"
    assert org_number.normalise(f"16{number[:6]}-{number[6:]}") == f"{number[:6]}-{number[6:]}"


@pytest.mark.parametrize("nine", ["802000000", "802412345", "556677889"])
def test_a_wrong_check_digit_is_refused(nine):
    error = refused(wrong(nine))
    assert error.code == "check_digit"
    assert "kontrollsiffran" in error.messages[0]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "80200",
        "802000-00",
        "80200000001",
        "802000-000000",
        "8020000-0000",
        "80200A-0000",
        "abcdefghij",
        "802000+0000",
        "802000–0000",
        "802000--0000",
        "99" + "8020000000",
        "802000/0000",
    ],
)
def test_anything_but_ten_digits_is_refused_as_a_format_error(value):
    error = refused(value)
    assert error.code == "format"
    assert "tio siffror" in error.messages[0]


@pytest.mark.parametrize(
    "value", ["199001012385", "19900101-2385", "900101-2385", "9001022384", "200001012384", "000101-1493"]
)
def test_a_personnummer_is_refused_and_never_stored(value):
    error = refused(value)
    assert error.code == "personnummer"
    assert "Vi registrerar aldrig en persons personnummer som organisationsnummer" in error.messages[0]
    assert "enskild firma" in error.messages[0]


@pytest.mark.parametrize("third", ["0", "1"])
def test_any_number_with_third_digit_below_two_is_refused_as_a_personnummer(third):
    # A sole trader's number is the owner's personnummer: refused even with a right check digit.
    assert refused(valid(f"80{third}000000")).code == "personnummer"


def test_the_validator_allows_empty_and_refuses_what_normalise_refuses():
    org_number.validate_org_number("")
    org_number.validate_org_number(valid("802000000"))
    with pytest.raises(ValidationError):
        org_number.validate_org_number(wrong("802000000"))


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [
        ("8020", "8020"),
        ("802000", "802000"),
        ("802000-12", "802000-12"),
        ("80200012", "802000-12"),
        ("8020001234", "802000-1234"),
        ("168020001234", "802000-1234"),
        ("Föreningen 8020", None),
        ("Idrott", None),
        ("802000-12345", None),
    ],
)
def test_a_search_written_like_a_number_becomes_a_stored_prefix(typed, prefix):
    assert org_number.search_prefix(typed) == prefix
