"""The free-text check against what a red team typed past it (issue 7, item 13): line breaks and tabs
inside a number, invisible characters that are not format characters (variation selectors, the
combining grapheme joiner, Hangul fillers), dots and dashes of other scripts, and phone numbers
grouped with dots, slashes, parentheses or double spaces. Ordinary dates and times still pass.

Personnummer are Skatteverket's test numbers (data/stockholm/skatteverket-testpersonnummer.csv);
phone numbers are from the ranges PTS keeps for use in fiction (070-174 06 05–99, 08-465 004 00–99).
"""

from __future__ import annotations

import datetime
import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError

from vbe.core import personnummer
from vbe.core.textcheck import contains_phone_number, reject_identifying_numbers

TODAY = datetime.date(2026, 11, 30)
PNR = "199002252386"


def test_the_number_used_here_is_on_skatteverkets_list():
    from django.conf import settings

    listed = (settings.BASE_DIR / "data/stockholm/skatteverket-testpersonnummer.csv").read_text().split()
    assert PNR in listed


def _between_every_character(text: str, mark: str) -> str:
    return mark.join(text) + mark


PERSONNUMMER_HIDDEN = [
    "900225\n2386",
    "900225-\r\n2386",
    "900225 -\t2386",
    "19900225\r2386",
    "1990\n02\n25\n2386",
    "900225\u2028-\u20292386",  # line and paragraph separators
    "900225\x0b2386",  # vertical tab
    "900225\u30002386",  # ideographic space
    "900225  -   2386",  # runs of spaces
    _between_every_character("900225-2386", "\ufe0f"),  # emoji variation selector
    _between_every_character("900225-2386", "\ufe0e"),  # text variation selector
    "9002\U000e010125-2386",  # variation selector supplement
    "9002\u034f25-23\u034f86",  # combining grapheme joiner
    "900225\u31642386",  # Hangul filler
    "900225\u115f2386",  # Hangul choseong filler
    "900225\u11602386",  # Hangul jungseong filler
    "900225\uffa02386",  # halfwidth Hangul filler
    "9002\u180e25-2386",  # Mongolian vowel separator
    "9002\U000e002025-2386",  # tag space
    "9\u20e30\u20e30225-2386",  # combining enclosing keycap
    "9002\x0025-2386",  # a NUL control character
    "900225\u00b72386",  # middle dot
    "900225\u20272386",  # hyphenation point
    "900225\u05be2386",  # Hebrew maqaf
    "900225\u02d72386",  # modifier letter minus
    "900225\u058a2386",  # Armenian hyphen
    "900225\u18062386",  # Mongolian todo soft hyphen
    "900225\u2e3a2386",  # two-em dash
    "900225\u301c2386",  # wave dash
    "900225\u30a02386",  # katakana-hiragana double hyphen
    "900225\u2e402386",  # double hyphen
    "900225\ufe312386",  # presentation form vertical em dash
    "900225\u27962386",  # heavy minus sign
    "900225\u20432386",  # hyphen bullet
    "900225\u28002386",  # Braille pattern blank, drawn as a space
]


@pytest.mark.parametrize("written", PERSONNUMMER_HIDDEN, ids=lambda s: s.encode("unicode_escape").decode())
def test_personnummer_hidden_by_breaks_and_invisible_characters_is_found(written):
    text = f"Hen heter {written} enligt lappen."
    assert personnummer.contains_personnummer(text, today=TODAY)
    with pytest.raises(ValidationError) as caught:
        reject_identifying_numbers(text)
    assert caught.value.code == "personnummer"


@pytest.mark.parametrize(
    "written", ["900225\n2386", "900225\u00b72386", _between_every_character("900225-2386", "\ufe0f")]
)
def test_such_a_number_typed_into_a_personnummer_field_is_the_same_number(written):
    assert personnummer.normalise(written, today=TODAY) == PNR


def _every_character_of(category: str) -> list[str]:
    return [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == category]


def test_every_dash_punctuation_character_folds_to_a_hyphen():
    dashes = _every_character_of("Pd")
    assert len(dashes) > 20
    # NFKC turns a few into other dashes or into a pair of hyphens ("⸺" stays, "︱" becomes "—").
    assert all(set(personnummer.fold(dash)) == {"-"} for dash in dashes), [
        hex(ord(d)) for d in dashes if set(personnummer.fold(d)) != {"-"}
    ]


def test_every_space_folds_to_one_space_and_runs_collapse():
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert "\n" in spaces and "\u3000" in spaces
    assert all(personnummer.fold(f"a{s}b") == "a b" for s in spaces)
    assert personnummer.fold("a \t\r\n  \u00a0b") == "a b"


@pytest.mark.parametrize("category", ["Mn", "Me", "Cf"])
def test_marks_and_format_characters_are_dropped(category):
    characters = _every_character_of(category)
    assert all(personnummer.fold(f"1{c}2") == "12" for c in characters), [
        hex(ord(c)) for c in characters if personnummer.fold(f"1{c}2") != "12"
    ]


def test_letters_with_accents_are_untouched():
    assert personnummer.fold("Åsa Öberg, café, Ñandú") == "Åsa Öberg, café, Ñandú"


PHONE_HIDDEN = [
    "070-174\n06 05",
    "070-174\r\n06\t05",
    "070  174 06 05",
    "070.174.06.05",
    "070/1740605",
    "070 / 174 06 05",
    "(070)1740605",
    "(070) 174 06 05",
    "+46 (70) 174 06 05",
    "+46(0)70.174.06.05",
    "(0)70 174 06 05",
    "+46.70.174.06.05",
    "0046-70-174 06 05",
    "070_174_06_05",
    "08.465.004.20",
    "08/465 004 20",
    "070\u00b7174\u00b706\u00b705",
    _between_every_character("070-174 06 05", "\ufe0f"),
    "070\u3164174\u316406\u316405",
    "rum 0812345 0701740605",
    "070-174 06.05",  # the last groups written like a clock time
    "070-174 06 05 2024",  # ... or like a date with the year after  # a run of figures right before the number does not hide it
]


@pytest.mark.parametrize("written", PHONE_HIDDEN, ids=lambda s: s.encode("unicode_escape").decode())
def test_phone_numbers_grouped_any_way_are_found(written):
    text = f"Kontakt: {written}."
    assert contains_phone_number(text)
    with pytest.raises(ValidationError) as caught:
        reject_identifying_numbers(text)
    assert caught.value.code == "phone_number"


ORDINARY = [
    "Kl. 08.30–16.00 var skolan stängd.",
    "kl.08.30-16.00",
    "Öppet 08.00-17.00, lunch 12.00–13.00.",
    "Tider: 08.00 09.00 10.00 11.00",
    "2026-11-30 08.30-16.00",
    "Den 01.02.2026 sågs klistermärken.",
    "Den 01/02/2026 och den 03/02/2026.",
    "Den 01.02.2026 08.30 sågs de igen.",
    "Den 07/08 2026 kl 09:15.",
    "Period 01.2026–03.2026.",
    "Period 01/2026 - 06/2026.",
    "Mötet 2026-11-30\n14.30 i aulan.",
    "2026-11-30\n1430",
    "Datum:\n2026-11-30\nTid:\n08.30\u201316.00",
    "Kostnad 0,5 miljoner, 0.25 av budgeten.",
    "Version 0.1.2 av rutinen.",
    "ISBN 0-306-40615-2",
    "Ärende 2024/01234, kl 08:30-16:30, vecka 07-08 2026.",
    "1990-01-01 - 2026-01-01",
    "Se bilaga 0 / 12 / 2026.",
    "Tabell:\n0\n100\n200\n300\n400",
    "Hallå · Kista · Rinkeby\u3164·",
]


@pytest.mark.parametrize("text", ORDINARY, ids=lambda s: s.encode("unicode_escape").decode())
def test_dates_times_and_figures_written_with_dots_slashes_and_breaks_pass(text):
    assert not personnummer.contains_personnummer(text, today=TODAY)
    assert not contains_phone_number(text)
    reject_identifying_numbers(text)


@pytest.mark.parametrize(
    "text",
    ["0 " * 20_000, "(0" * 20_000, "+46 (" * 20_000, "0" + "\ufe0f " * 20_000],
    ids=["zeros", "parentheses", "country-codes", "marks"],
)
def test_long_hostile_text_holds_no_number(text):
    """Long runs of near-misses are answered, and answered "nothing found". Each pattern is tried at most
    once per start and matches a bounded length, so the check is linear in the text's length (a
    backtracking pattern would hang here); speed itself is not asserted in tests."""
    assert not personnummer.contains_personnummer(text, today=TODAY)
    assert not contains_phone_number(text)
