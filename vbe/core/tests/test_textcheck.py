"""The free-text check (vbe.core.textcheck): personnummer and phone numbers however they are typed,
and no false alarm on dates, times and ordinary figures. A table in each direction.

Personnummer are Skatteverket's test numbers; phone numbers are from the ranges PTS keeps for use
in fiction (070-174 06 05–99, 08-465 004 00–99, 031-390 06 00–99, 0980-319 200–299).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from vbe.core import personnummer
from vbe.core.textcheck import contains_phone_number, reject_identifying_numbers

TODAY = datetime.date(2026, 11, 30)
PNR = "199002252386"  # data/stockholm/skatteverket-testpersonnummer.csv
FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EASTERN_ARABIC_INDIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def _coordination_number() -> str:
    """The test number as a samordningsnummer: day + 60, check digit recomputed."""
    first11 = PNR[:6] + str(int(PNR[6:8]) + 60) + PNR[8:11]
    return next(first11 + d for d in "0123456789" if personnummer.luhn_ok(first11[2:] + d))


PERSONNUMMER_WRITTEN = [
    "19900225-2386",
    "900225-2386",
    "900225+2386",
    "9002252386",
    "199002252386",
    "19900225 2386",
    "900225 - 2386",
    "1990 02 25 2386",
    "1990-02-25-2386",
    "19900225_2386",
    "900225.2386",
    "90.02.25-2386",
    "19900225\u00a02386",  # no-break space
    "19900225\u202f-\u202f2386",  # narrow no-break spaces
    *(f"19900225{dash}2386" for dash in "\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d"),
    *(f"1990{zw}0225-23{zw}86" for zw in "\u200b\u200c\u200d\u2060\ufeff\u00ad"),
    "19900225-2386".translate(FULLWIDTH),
    "900225-2386".translate(ARABIC_INDIC),
    "19900225-2386".translate(EASTERN_ARABIC_INDIC),
    "19900225-2386".translate(DEVANAGARI),
    "\u200f١٩٩٠٠٢٢٥\u2010٢٣٨٦\u200f",  # right-to-left marks and a Unicode hyphen around Arabic digits
    "Mötet 2026-11-30 gällde 19900225-2386.",  # a date right before the number does not hide it
    "(900225-2386)",
    "pnr:199002252386.",
    _coordination_number(),
]


@pytest.mark.parametrize("written", PERSONNUMMER_WRITTEN)
def test_personnummer_is_found_however_it_is_written(written):
    assert personnummer.contains_personnummer(f"Det stod {written} på lappen", today=TODAY)
    with pytest.raises(ValidationError) as caught:
        reject_identifying_numbers(f"Det stod {written} på lappen")
    assert caught.value.code == "personnummer"


def _luhn_valid_clock() -> str:
    """A clock time that, after today's date, passes the check digit: the case a naive check flags."""
    return next(
        f"{h:02d}{m:02d}"
        for h in range(8, 18)
        for m in (0, 15, 30, 45)
        if personnummer.luhn_ok(f"261130{h:02d}{m:02d}")
    )


def _luhn_valid_date_span() -> str:
    """A span of two dates where the first date and the second year pass the check digit."""
    day = datetime.date(2025, 1, 1)
    while not personnummer.luhn_ok(day.strftime("%y%m%d") + str(day.year + 1)):
        day += datetime.timedelta(days=1)
    return f"{day.isoformat()}\u2013{day.year + 1}-01-05"


ORDINARY_TEXT = [
    "",
    "Mötet hölls 2026-11-30.",
    "Mötet 2026-11-30 kl. 14.30–16.00.",
    "2026-11-30 14:30",
    f"2026-11-30 {_luhn_valid_clock()}",
    f"2026-11-30 {_luhn_valid_clock()[:2]}.{_luhn_valid_clock()[2:]}",
    f"Planen gäller {_luhn_valid_date_span()}.",
    "Perioden 20260101-20261231.",
    "30.11.2026 kl 08.30",
    "Den 01-02-2026 sågs klistermärken.",
    "Öppet 0800-1700 alla dagar.",
    "Ärendenummer 2024/1234 hos polisen.",
    "Sanering kostade 25 000 kronor, faktura 2024-05-01.",
    "Postnummer 123 45 Stockholm.",
    "Mellan 2023 och 2024 ökade antalet från 0 till 12.",
    "Fördelning: 0 100 200 300 400.",
    "Tolv affischer vid hållplats 1234.",
    "991399-1234",  # month 13
    "1234567890123",  # thirteen digits: something else
    "Organisationsnummer 212000-0142.",
    "Version 1.2.3 av riktlinjen, avsnitt 4.5.",
]


@pytest.mark.parametrize("text", ORDINARY_TEXT)
def test_ordinary_text_dates_and_times_pass(text):
    assert not personnummer.contains_personnummer(text, today=TODAY)
    assert not contains_phone_number(text)


def _future_number() -> str:
    """A number of personnummer form with a valid check digit but a birth date in the future, built here
    so that no valid personnummer outside Skatteverket's test list is written in the repository."""
    base = "301231238"
    digit = next(d for d in "0123456789" if personnummer.luhn_ok(base + d))
    return f"20{base[:6]}-{base[6:]}{digit}"


def test_a_future_birth_date_is_nobodys_personnummer():
    number = _future_number()
    assert not personnummer.contains_personnummer(f"Siffrorna {number} stod på lappen.", today=TODAY)


def test_the_tricky_ordinary_cases_really_pass_the_check_digit():
    """Without these, the clock and the date span above would test nothing."""
    clock = _luhn_valid_clock()
    assert personnummer.luhn_ok("261130" + clock)
    span = _luhn_valid_date_span()
    assert personnummer.luhn_ok(span[2:4] + span[5:7] + span[8:10] + span[11:15])
    assert personnummer.luhn_ok(_future_number()[2:].replace("-", ""))


PHONE_WRITTEN = [
    "070-174 06 05",
    "070-1740605",
    "0701740605",
    "070 174 06 05",
    "070 - 174 06 05",
    "+46 70 174 06 05",
    "+46701740605",
    "+46 (0)70-174 06 05",
    "0046 70 174 06 05",
    "08-465 004 20",
    "(08) 465 004 20",
    "08-46500420",
    "031-390 06 00",
    "0980-319 200",
    "070\u2011174\u00a006\u00a005",  # non-breaking hyphen and spaces
    "070\u200b-174 06 05",
    "070-174 06 05".translate(FULLWIDTH),
    "070-174 06 05".translate(ARABIC_INDIC),
    "Ring 070-174 06 05 2024 eller senare",  # figures after the number do not hide it
]


@pytest.mark.parametrize("written", PHONE_WRITTEN)
def test_phone_numbers_are_found_however_they_are_written(written):
    assert contains_phone_number(f"Kontakt: {written}.")
    with pytest.raises(ValidationError) as caught:
        reject_identifying_numbers(f"Kontakt: {written}.")
    assert caught.value.code == "phone_number"


@pytest.mark.parametrize(
    ("text", "what"),
    [(f"Se {PNR}", "personnummer"), ("Ring 070-174 06 05", "telefonnummer")],
)
def test_message_is_swedish_says_what_to_remove_and_does_not_repeat_it(text, what):
    with pytest.raises(ValidationError) as caught:
        reject_identifying_numbers(text)
    message = " ".join(caught.value.messages)
    assert f"liknar ett {what}" in message and "Ta bort det" in message
    assert PNR not in message and "174" not in message
