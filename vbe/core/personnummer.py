"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Stored as 12 digits without separator (YYYYMMDDNNNC). Only Skatteverket's test numbers may appear in
fixtures, demo data and tests (data/stockholm/skatteverket-testpersonnummer.csv).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_SHAPE = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")

# Characters drawn as a dash or a dot between figures that are not dash punctuation (category Pd,
# all of which count as "-"): the minus signs, the middle dot and the hyphenation point, the modifier
# letter minus and the hyphen bullet.
_DASH_LIKE = frozenset("\u00b7\u02d7\u2027\u2043\u2212\u2796")
# Default-ignorable characters (Unicode's list: drawn as nothing) that are letters or unassigned
# rather than marks or format characters: the Hangul fillers (U+3164 and U+FFA0 become U+1160 under
# NFKC, and all of them look like a space or nothing) and the unassigned ranges kept for more of them.
_IGNORABLE = frozenset("\u115f\u1160\u3164\uffa0\u2065") | frozenset(map(chr, range(0xFFF0, 0xFFF9)))
_IGNORABLE_PLANE = range(0xE0000, 0xE1000)  # tags and variation selectors (assigned or not)
# Marks (combining, enclosing: variation selectors, the combining grapheme joiner, a keycap), format
# characters (zero-width space and joiners, bidi marks, soft hyphen) and control characters.
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc"})
# Drawn as a blank though it is not a space character.
_BLANK_LIKE = frozenset("\u2800")
_SPACES = re.compile(r" {2,}")


def fold(text: str) -> str:
    """Text with every way of writing a digit, a dash or a space made plain ASCII, and invisible
    characters gone, so one pattern sees "１９９０", "١٩٩٠", "1990‑02", "19\u200b90" and "1990\n02"
    as the digits they show.

    NFKC turns fullwidth digits and signs into ASCII and odd spaces (no-break, narrow) into " ";
    digits of other scripts (Arabic-Indic, Devanagari …) are decimal digits NFKC leaves alone, so
    they are mapped by their value. Every white-space character (tab, line break, carriage return,
    ideographic space …) becomes one space and a run of them one space. Marks, format and control
    characters (categories Mn, Me, Cf, Cc) and the other default-ignorable characters are dropped:
    a variation selector or a Hangul filler between digits hides nothing. Every dash (category Pd),
    minus sign and the middle dots become "-". Letters, accents included, are left as NFKC leaves
    them (NFKC composes a letter and its accent first, so "é" is one letter, not "e" and a mark).
    """
    text = unicodedata.normalize("NFKC", text or "")
    out = []
    for char in text:
        if char.isspace() or char in _BLANK_LIKE:
            out.append(" ")
        elif char.isascii() and char.isprintable():
            out.append(char)
        elif char.isdecimal():
            out.append(str(unicodedata.decimal(char)))
        elif char in _IGNORABLE or ord(char) in _IGNORABLE_PLANE or unicodedata.category(char) in _DROPPED_CATEGORIES:
            continue
        elif char in _DASH_LIKE or unicodedata.category(char) == "Pd":
            out.append("-")
        else:
            out.append(char)
    # Linear: one pass, and the run of spaces is matched without backtracking.
    return _SPACES.sub(" ", "".join(out))


# A personnummer-like string inside (folded) free text: YYMMDD or YYYYMMDD, a separator, four digits.
# The date's parts may be apart ("1990-02-25", "1990 02 25", "90.02.25"); between the date and the
# last four any run of spaces, dots and underscores around one "-" or "+". The last four are written
# together: "14.30" after a date is a time, not part of a number.
_GAP = r"[ ._-]?"
_SEPARATOR = r"[ ._]{0,3}(?P<sign>[-+]?)[ ._]{0,3}"
_TEN = re.compile(rf"(?P<yy>\d{{2}}){_GAP}(?P<mm>\d{{2}}){_GAP}(?P<dd>\d{{2}}){_SEPARATOR}(?P<last4>\d{{4}})(?!\d)")
_TWELVE = re.compile(rf"(?P<cc>\d{{2}}){_GAP}{_TEN.pattern}")
_DIGIT_START = re.compile(r"(?<!\d)\d")
_CLOCK = re.compile(r"([01]\d|2[0-3])[0-5]\d")
_CONTINUES = re.compile(r"[-./]\d")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(digits):
        n = int(char) * (2 - i % 2)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _century(yymmdd: str, plus: bool, today: datetime.date) -> str:
    # Ten digits: the person is at most 99 years old unless the separator is "+" (100 or older).
    year = int(yymmdd[:2])
    base = today.year - (100 if plus else 0)
    century = base // 100
    if year > base % 100:
        century -= 1
    return str(century)


def normalise(value: str, *, today: datetime.date | None = None) -> str:
    """Return the 12-digit form, or raise ValidationError with a Swedish message.

    Typed digits of any script and any dash count ("１９９００２２５‐２３８６" is 19900225-2386), so
    the same person is found however the number was typed.
    """
    today = today or datetime.date.today()
    match = _SHAPE.match(fold(value).replace(" ", ""))
    if not match:
        raise ValidationError(_("Skriv personnumret med 10 eller 12 siffror, till exempel ÅÅÅÅMMDD-NNNN."))
    century, yymmdd, separator, last4 = match.groups()
    century = century or _century(yymmdd, separator == "+", today)
    digits = century + yymmdd + last4
    if not luhn_ok(digits[2:]):
        raise ValidationError(_("Personnumret stämmer inte: kontrollsiffran är fel. Kontrollera siffrorna."))
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if day > 60:  # samordningsnummer: the day of birth plus 60
        day -= 60
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(_("Personnumret stämmer inte: datumet finns inte.")) from None
    if born > today:
        raise ValidationError(_("Personnumret stämmer inte: födelsedatumet ligger i framtiden."))
    return digits


def mask(digits: str) -> str:
    """For lists: the birth year only. The whole number is shown on request, and that is logged."""
    return f"{digits[:4]}XXXX-XXXX" if len(digits) == 12 else ""


def blind_index(digits: str) -> str:
    """A keyed hash for exact look-up without decrypting: equal numbers give equal indexes."""
    return hmac.new(settings.BLIND_INDEX_KEY, digits.encode(), hashlib.sha256).hexdigest()


def _is_date(year: int, month: int, day: int) -> bool:
    if day > 60:  # samordningsnummer
        day -= 60
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _born_by(year: int, month: int, day: int, today: datetime.date) -> bool:
    """A real date (a samordningsnummer's day counts, less 60) that is not in the future."""
    if not _is_date(year, month, day):
        return False
    return datetime.date(year, month, day - 60 if day > 60 else day) <= today


def _looks_like_personnummer(match: re.Match, today: datetime.date) -> bool:
    yy, mm, dd, last4 = match["yy"], match["mm"], match["dd"], match["last4"]
    if not luhn_ok(f"{yy}{mm}{dd}{last4}"):
        return False
    century = match.groupdict().get("cc")
    years = [int(century + yy)] if century else [1900 + int(yy), 2000 + int(yy)]
    if not any(_born_by(year, int(mm), int(dd), today) for year in years):
        return False
    date_part = match.string[match.start(0) : match.start("last4")].rstrip(" ._-+")
    if len(re.sub(r"\D", "", date_part)) == len(date_part):
        return True
    # The date is written apart like a date ("2026-11-30"): a clock time after a space
    # ("2026-11-30 1430") or the start of another date ("2026-11-30–2026-12-15") is not a number.
    clock = not match["sign"] and _CLOCK.fullmatch(last4)
    return not (clock or _CONTINUES.match(match.string, match.end()))


def contains_personnummer(text: str, *, today: datetime.date | None = None) -> bool:
    """True if free text holds something that could be a personnummer or samordningsnummer: a date
    that is real and not in the future, four digits and a valid check digit, however it is written
    (see ``fold``). The date and check-digit tests keep amounts, dates, times and phone numbers out.

    Every place a digit run starts is tried as both the 12- and the 10-digit form, so a number right
    after a date ("2026-11-30 19900225-2386") is not hidden by the date.
    """
    folded = fold(text)
    today = today or datetime.date.today()
    for start in _DIGIT_START.finditer(folded):
        for pattern in (_TWELVE, _TEN):
            match = pattern.match(folded, start.start())
            if match and _looks_like_personnummer(match, today):
                return True
    return False
