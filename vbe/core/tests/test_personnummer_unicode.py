"""Personnummer typed with digits of another script, other dashes or invisible characters are the same
number: validated, stored and found as the ASCII 12-digit form (issue 7, item 13)."""

from __future__ import annotations

import datetime

import pytest

from vbe.concerns.models import Concern
from vbe.core import personnummer
from vbe.organisations.models import Organisation

PNR = "199002252386"  # data/stockholm/skatteverket-testpersonnummer.csv
TODAY = datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    "typed",
    [
        "１９９００２２５－２３８６",  # fullwidth digits and hyphen-minus
        "١٩٩٠٠٢٢٥-٢٣٨٦",  # Arabic-Indic
        "۱۹۹۰۰۲۲۵-۲۳۸۶",  # Eastern Arabic-Indic (Persian, Urdu)
        "९००२२५-२३८६",  # Devanagari, ten digits
        "\u200f١٩٩٠٠٢٢٥-٢٣٨٦\u200f",  # with right-to-left marks, as an Arabic keyboard may add
        "19900225\u20102386",  # U+2010 hyphen
        "19900225\u20112386",  # non-breaking hyphen
        "19900225\u20132386",  # en dash
        "19900225\u22122386",  # minus sign
        "19900225\ufe632386",  # small hyphen-minus
        "1990\u200b0225-2386\ufeff",  # zero-width space, byte-order mark
        "19900225\u00a02386",  # no-break space
        "19900225 \u2013 2386",
    ],
)
def test_any_digits_and_dashes_normalise_to_the_ascii_number(typed):
    assert personnummer.normalise(typed, today=TODAY) == PNR


def test_a_plus_in_fullwidth_still_means_a_hundred_years():
    assert personnummer.normalise("９００２２５＋２３８６", today=TODAY) == "189002252386"


def test_the_check_digit_is_still_checked_after_normalising():
    with pytest.raises(Exception, match="kontrollsiffran"):
        personnummer.normalise("١٩٩٠٠٢٢٥-٢٣٨٧", today=TODAY)


def test_fold_maps_digits_dashes_and_drops_invisible_characters():
    assert personnummer.fold("١٩\u200b٩٠\u2011０２") == "1990-02"
    assert personnummer.fold("Åsa – 12") == "Åsa - 12"  # letters untouched


def test_a_concern_reported_in_arabic_digits_is_found_by_a_search_in_fullwidth(cast):
    report_data = {
        "idempotency_key": "form-unicode",
        "observation": "Eleven visade en film som hyllar ett attentat.",
        "observed_on": "2026-11-20",
        "environment": "unknown",
        "concerns_child": "no",
        "child_report_made": "unknown",
        "organisation": str(Organisation.objects.get(slug="jarva").pk),
        "person_name": "Testperson Testsson",
        "person_pnr": "١٩٩٠٠٢٢٥-٢٣٨٦",
    }
    response = cast.client("staff").post("/oro/rapportera/", report_data)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.person_pnr == PNR
    assert concern.person_pnr_index == personnummer.blind_index(PNR)
    page = cast.client("coordinator").post("/oro/arenden/", {"pnr": "９００２２５－２３８６"}).content.decode()
    assert concern.reference in page
