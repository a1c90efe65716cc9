"""The personnummer check on free text, with Skatteverket's test numbers only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vbe.core.personnummer import _is_date, contains_personnummer, luhn_ok
from vbe.incidents.tests.test_report import skatteverket_numbers
from vbe.incidents.textcheck import reject_personnummer


@pytest.fixture(scope="module")
def number() -> str:
    return skatteverket_numbers()[0]


@pytest.mark.parametrize(
    "template",
    ["{n}", "{n8}-{n4}", "{s}", "{s6}-{s4}", "{s6}+{s4}", "{n8} - {n4}", "pnr:{n}.", "({s6}-{s4})"],
)
def test_finds_personnummer_in_the_usual_forms(number, template):
    text = template.format(n=number, n8=number[:8], n4=number[8:], s=number[2:], s6=number[2:8], s4=number[8:])
    assert contains_personnummer(f"Det stod {text} på lappen")


def test_every_test_number_in_the_file_is_found():
    numbers = skatteverket_numbers()
    assert all(contains_personnummer(n) and luhn_ok(n[2:]) for n in numbers)


def test_wrong_check_digit_is_not_a_personnummer(number):
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not contains_personnummer(wrong)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Tolv affischer vid hållplats 1234.",
        "Sanering kostade 25000 kronor, faktura 2024-05-01.",
        "Ärendenummer 2024/1234 hos polisen.",
        "Mellan 2023 och 2024 ökade antalet.",
        "991399-1234",  # month 13: not a date
        "1234567890123",  # thirteen digits: something else
    ],
)
def test_ordinary_text_and_numbers_pass(text):
    assert not contains_personnummer(text)


def test_samordningsnummer_days_count_as_dates():
    assert _is_date(1990, 1, 61) and _is_date(1990, 1, 1)
    assert not _is_date(1990, 2, 90) and not _is_date(1990, 2, 30)


def test_validator_message_is_swedish_and_does_not_repeat_the_number(number):
    with pytest.raises(ValidationError) as caught:
        reject_personnummer(f"Se {number}")
    message = " ".join(caught.value.messages)
    assert "liknar ett personnummer" in message and number not in message
