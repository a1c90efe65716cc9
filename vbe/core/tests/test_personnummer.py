import datetime

import pytest
from django.core.exceptions import ValidationError

from vbe.core import personnummer

# From data/stockholm/skatteverket-testpersonnummer.csv: Skatteverket's test numbers only.
TEST_PNR = "199002252386"


def _with_check_digit(first11: str) -> str:
    for digit in "0123456789":
        if personnummer.luhn_ok(first11[2:] + digit):
            return first11 + digit
    raise AssertionError


@pytest.mark.parametrize("written", ["199002252386", "19900225-2386", "900225-2386", "9002252386", " 19900225 2386 "])
def test_accepted_forms_normalise_to_twelve_digits(written):
    assert personnummer.normalise(written, today=datetime.date(2026, 11, 26)) == TEST_PNR


def test_samordningsnummer_is_accepted():
    # The coordination-number form of the test number above: day + 60, check digit recomputed.
    coordination = _with_check_digit("19900285238")
    assert personnummer.normalise(coordination) == coordination


@pytest.mark.parametrize(
    "bad, message",
    [
        ("19900225-2387", "kontrollsiffran"),
        ("abc", "10 eller 12 siffror"),
        ("1990022", "10 eller 12 siffror"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(bad, message):
    with pytest.raises(ValidationError, match=message):
        personnummer.normalise(bad)


def test_impossible_date_is_refused():
    with pytest.raises(ValidationError, match="datumet finns inte"):
        personnummer.normalise(_with_check_digit("19900231238"))


def test_plus_sign_means_a_hundred_years_or_more():
    assert personnummer.normalise("900225+2386", today=datetime.date(2026, 1, 1)) == "189002252386"


def test_mask_and_blind_index():
    assert personnummer.mask(TEST_PNR) == "1990XXXX-XXXX"
    assert personnummer.blind_index(TEST_PNR) == personnummer.blind_index(TEST_PNR)
    assert personnummer.blind_index(TEST_PNR) != personnummer.blind_index("199209202382")
    assert TEST_PNR not in personnummer.blind_index(TEST_PNR)


def test_found_in_free_text():
    assert personnummer.contains_personnummer("Han heter X, 19900225-2386, bor i Tensta")
    assert personnummer.contains_personnummer("900225-2386")
    assert not personnummer.contains_personnummer("Telefon 0701234567 och 12 klistermärken")
