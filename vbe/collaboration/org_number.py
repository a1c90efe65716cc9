"""Swedish organisation numbers (organisationsnummer) of legal persons.

An organisation number has ten digits, written NNNNNN-NNNN or NNNNNNNNNN; Skatteverket also writes it
with the century-like prefix "16" (twelve digits), which is stripped. The last digit is a Luhn check
digit over the first nine. The third digit is 2 or more for a legal person: a number whose third
digit is 0 or 1 has the shape of a personnummer (a sole trader, enskild firma, uses the owner's
personnummer), and the register never stores a person's personnummer, so it is refused whatever its
check digit says. A twelve-digit number starting 19 or 20 is a personnummer written in full and is
refused the same way.

``normalise`` returns the number as NNNNNN-NNNN or raises ValidationError with a Swedish message;
``validate_org_number`` is the same check as a Django validator.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vbe.core.personnummer import luhn_ok

FORMAT_MESSAGE = _("Skriv organisationsnumret med tio siffror, till exempel 802000-0000 eller 8020000000.")
CHECK_DIGIT_MESSAGE = _(
    "Organisationsnumret stämmer inte: kontrollsiffran (den sista siffran) är fel. Kontrollera numret."
)
PERSONNUMMER_MESSAGE = _(
    "Det här liknar ett personnummer. Vi registrerar aldrig en persons personnummer som organisationsnummer, "
    "inte heller för en enskild firma: lämna fältet tomt."
)

# Spaces around the parts are forgiven; the only separator is a dash (a "+" belongs to personnummer).
_SHAPE = re.compile(r"(?P<century>\d{2})?(?P<first>\d{6})-?(?P<last>\d{4})", re.ASCII)


def normalise(value: str) -> str:
    """The organisation number as NNNNNN-NNNN; ValidationError (Swedish) when it is not one."""
    text = "".join(str(value).split())
    match = _SHAPE.fullmatch(text)
    if match is None:
        raise ValidationError(FORMAT_MESSAGE, code="format")
    century = match["century"]
    if century is not None and century != "16":
        # 19/20 is how a personnummer is written in full; any other prefix is not a number at all.
        if century in ("19", "20"):
            raise ValidationError(PERSONNUMMER_MESSAGE, code="personnummer")
        raise ValidationError(FORMAT_MESSAGE, code="format")
    digits = match["first"] + match["last"]
    if int(digits[2]) < 2:
        raise ValidationError(PERSONNUMMER_MESSAGE, code="personnummer")
    if not luhn_ok(digits):
        raise ValidationError(CHECK_DIGIT_MESSAGE, code="check_digit")
    return f"{digits[:6]}-{digits[6:]}"


def validate_org_number(value: str) -> None:
    """A Django validator: refuses anything ``normalise`` refuses (an empty value is the field's to allow)."""
    if value:
        normalise(value)


def search_prefix(value: str) -> str | None:
    """The start of an organisation number as the register stores it, when ``value`` is written like
    one (digits, at most one dash after the sixth): "8020", "802000-12", "8020001234". None otherwise,
    so a search for a name is not mistaken for a number."""
    text = "".join(str(value).split())
    if not re.fullmatch(r"\d{1,6}|\d{6}-?\d{0,4}|16\d{10}|16\d{6}-\d{4}", text, re.ASCII):
        return None
    if len(text) >= 12 and text.startswith("16"):
        text = text[2:]
    digits = text.replace("-", "")
    return digits if len(digits) <= 6 else f"{digits[:6]}-{digits[6:]}"
