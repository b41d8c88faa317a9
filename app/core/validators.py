"""Checks and clean-up for the identifiers a workshop types all day: VIN, plate, phone.

The *_problem functions return None when the value is fine, otherwise a lazily
translated message telling the user exactly what to fix. They check the value as
given; forms normalise first with the *_filter functions.
This module imports only stdlib, wtforms, flask_babel and phonenumbers so that
demo-data scripts and tests can use it without an app.
"""

from functools import lru_cache
import random
import re
import string
import unicodedata

import phonenumbers
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# ---------------------------------------------------------------- VIN

VIN_LENGTH = 17
VIN_CHARS = set("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")  # I, O, Q are never used
_VIN_LETTERS_ONLY = "ABCDEFGHJKLMNPRSTUVWXYZ"
# ISO 3779 / North-American transliteration: letters map to 1-9, skipping I, O, Q.
_VIN_VALUES = {
    **{d: int(d) for d in string.digits},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# Real world manufacturer identifiers of cars built in China (demo data only).
CHINESE_WMIS = {
    "LVS": "Changan Ford",
    "LSV": "SAIC Volkswagen",
    "LFV": "FAW-Volkswagen",
    "LGB": "Dongfeng Nissan",
    "LHG": "GAC Honda",
    "LVG": "GAC Toyota",
    "LBV": "BMW Brilliance",
    "LRW": "Tesla Shanghai",
    "LGX": "BYD",
}
# Model-year codes 2010-2025 (position 10 never uses I, O, Q, U, Z or 0).
_MODEL_YEAR_CODES = "ABCDEFGHJKLMNPRS"


def normalize_vin(s: str | None) -> str:
    """Strip, drop inner spaces and upper-case; people copy VINs with gaps."""
    if s is None:
        return ""
    return "".join(str(s).split()).upper()


def vin_check_digit(vin17: str) -> str:
    """Return the check digit (position 9) a 17-character VIN must carry."""
    vin = str(vin17).upper()
    if len(vin) != VIN_LENGTH or not set(vin) <= VIN_CHARS:
        raise ValueError(f"not a 17-character VIN: {vin17!r}")
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_problem(vin: str | None):
    """None if vin is a valid VIN, else a message saying what is wrong."""
    vin = "" if vin is None else str(vin)
    if not vin:
        return _l("Enter the VIN (17 characters).")
    if len(vin) != VIN_LENGTH:
        return _l(
            "A VIN has 17 characters; you typed %(count)d.", count=len(vin)
        )
    forbidden = sorted({c for c in vin if c in "IOQ"})
    if forbidden:
        return _l(
            "A VIN never contains the letters I, O or Q (found %(letters)s); "
            "did you mean 1 or 0?",
            letters=", ".join(forbidden),
        )
    other = sorted({c for c in vin if c not in VIN_CHARS})
    if other:
        return _l(
            "A VIN contains only digits and capital letters; "
            "these characters are not allowed: %(chars)s",
            chars=" ".join(other),
        )
    # Chinese VINs (starting with L) carry the check digit as well, so always check.
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        return _l(
            "The VIN does not add up: character 9 (the check digit) should be "
            "%(expected)s, not %(found)s. Look for a typo.",
            expected=expected,
            found=vin[8],
        )
    return None


def make_vin(prefix11_without_check: str, serial6: str) -> str:
    """Build a valid VIN from positions 1-8, 10, 11 and a 6-character serial.

    prefix11_without_check may be 10 characters (positions 1-8, 10, 11) or all
    11 first characters with any placeholder at position 9; the check digit is
    computed and put in place.
    """
    prefix = normalize_vin(prefix11_without_check)
    serial = normalize_vin(serial6)
    if len(prefix) == 10:
        prefix = prefix[:8] + "0" + prefix[8:]
    if len(prefix) != 11 or len(serial) != 6:
        raise ValueError("make_vin needs 10 or 11 prefix characters and a 6-character serial")
    vin = prefix + serial
    if not set(vin[:8] + vin[9:]) <= VIN_CHARS:
        raise ValueError(f"characters not allowed in a VIN: {vin!r}")
    vin = vin[:8] + "0" + vin[9:]  # placeholder must be transliterable
    return vin[:8] + vin_check_digit(vin) + vin[9:]


def random_vin(rng: random.Random, wmi: str | None = "LVS") -> str:
    """A valid random VIN: WMI, 5 descriptor chars, check, year, plant, 6-digit serial.

    wmi=None picks one of CHINESE_WMIS.
    """
    if wmi is None:
        wmi = rng.choice(sorted(CHINESE_WMIS))
    allowed = "".join(sorted(VIN_CHARS))
    descriptor = "".join(rng.choice(allowed) for _ in range(5))
    year = rng.choice(_MODEL_YEAR_CODES)
    plant = rng.choice(_VIN_LETTERS_ONLY + "123456789")
    serial = "".join(rng.choice(string.digits) for _ in range(6))
    return make_vin(wmi + descriptor + year + plant, serial)


# ---------------------------------------------------------------- plates

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_SPECIALS = "学警挂港澳"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # plates never use I or O
_PLATE_CHARS = set(_PLATE_LETTERS + string.digits)
# Separators people type or paste: space, dot, middle dots of several encodings.
_PLATE_SEPARATORS = re.compile(r"[\s.·•・]+")


def normalize_plate(s: str | None) -> str:
    """Strip separators and upper-case the latin letters, keeping the province character."""
    if s is None:
        return ""
    # NFKC turns full-width letters and digits from Chinese keyboards into ASCII.
    s = unicodedata.normalize("NFKC", str(s))
    return _PLATE_SEPARATORS.sub("", s).upper()


def plate_problem(plate: str | None):
    """None if plate is a valid mainland plate, else a message saying what is wrong."""
    plate = "" if plate is None else str(plate)
    if not plate:
        return _l("Enter the plate number.")
    if plate[0] not in PROVINCES:
        return _l("A plate starts with a province character such as 京 or 粤.")
    if len(plate) < 2 or not ("A" <= plate[1] <= "Z"):
        return _l(
            "After the province character comes the capital letter of the "
            "issuing office, as in 粤B."
        )
    if plate[1] in "IO":
        return _l("The issuing-office letter after the province cannot be I or O.")
    rest = plate[2:]
    if len(rest) not in (5, 6):
        return _l(
            "After the province and letter a plate has 5 characters, or 6 for a "
            "new-energy plate; you typed %(count)d.",
            count=len(rest),
        )
    body = rest[:-1] if (len(rest) == 5 and rest[-1] in PLATE_SPECIALS) else rest
    if set(body) & set("IO"):
        return _l("Plates never use the letters I or O; did you mean 1 or 0?")
    other = sorted({c for c in body if c not in _PLATE_CHARS})
    if other:
        return _l(
            "These characters are not allowed in a plate: %(chars)s",
            chars=" ".join(other),
        )
    # New-energy: D/F first for small cars, D/F last for large ones.
    if len(rest) == 6 and rest[0] not in "DF" and rest[-1] not in "DF":
        return _l(
            "A new-energy plate (6 characters after the letter) starts or ends "
            "with D or F."
        )
    return None


def plate_search_key(s: str | None) -> str:
    """The normalised plate without its province, so "A12345" finds "粤A12345"."""
    plate = normalize_plate(s)
    return plate[1:] if plate[:1] in set(PROVINCES) else plate


def random_plate(rng: random.Random, new_energy: bool = False, province: str = "粤", letter: str = "B") -> str:
    """A valid random plate; new-energy plates come in the small and large shapes."""
    digits = "".join(rng.choice(string.digits) for _ in range(5))
    if not new_energy:
        # Mix a letter in now and then, as real plates do.
        if rng.random() < 0.5:
            i = rng.randrange(5)
            digits = digits[:i] + rng.choice(_PLATE_LETTERS) + digits[i + 1:]
        return province + letter + digits
    if rng.random() < 0.5:
        return province + letter + rng.choice("DF") + digits
    return province + letter + digits + rng.choice("DF")


# ---------------------------------------------------------------- phones

_PHONE_CHARS = set(string.digits + " -().+")
# Mainland mobile prefixes that phonenumbers knows to be in service (demo data).
_MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "177", "178", "180", "181", "182", "183", "184", "185", "186",
    "187", "188", "189", "199",
]


def _parse_phone(s, region):
    """phonenumbers object for s, or None when it cannot even be parsed."""
    s = str(s).strip()
    digits = re.sub(r"\D", "", s)
    # "8613812345678" pasted without its +: unambiguous, as no national number starts 861.
    if region == "CN" and not s.startswith("+") and len(digits) == 13 and digits.startswith("861"):
        s = "+" + digits
    try:
        return phonenumbers.parse(s, region)
    except phonenumbers.NumberParseException:
        return None


def normalize_phone(s: str | None, region: str = "CN") -> str:
    """E.164 form of a valid number; anything else comes back stripped, for the validator to explain."""
    if s is None:
        return ""
    s = str(s).strip()
    if not s or not set(s) <= _PHONE_CHARS:
        return s
    number = _parse_phone(s, region)
    if number is None or not phonenumbers.is_valid_number(number):
        return s
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_problem(s: str | None, region: str = "CN"):
    """None if s is a valid phone number, else a message saying what is wrong."""
    s = "" if s is None else str(s).strip()
    if not s:
        return _l("Enter a phone number.")
    # Reject letters: phonenumbers would read them as keypad digits.
    if not set(s) <= _PHONE_CHARS or "+" in s[1:]:
        return _l(
            "A phone number may contain only digits, spaces, dashes and a "
            "leading +."
        )
    number = _parse_phone(s, region)
    if number is not None and phonenumbers.is_valid_number(number):
        return None
    digits = re.sub(r"\D", "", s)
    if s.startswith("+") or region != "CN":
        return _l(
            "This is not a valid phone number: check the country code and the "
            "number of digits."
        )
    if digits.startswith("1"):
        if len(digits) != 11:
            return _l(
                "A mobile number has 11 digits; you typed %(count)d.",
                count=len(digits),
            )
        return _l(
            "No mobile numbers start with %(prefix)s: that range is not allocated. Check the first digits.",
            prefix=unallocated_mobile_prefix(digits),
        )
    if digits.startswith("0"):
        return _l(
            "This landline number is not valid: give the area code and the "
            "number, e.g. 020 1234 5678."
        )
    return _l(
        "Enter a mobile number (11 digits starting with 1), a landline "
        "with its area code, or a foreign number starting with +."
    )


def _mobile_in_use(national):
    number = phonenumbers.parse(national, "CN")
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


@lru_cache(maxsize=256)
def _prefix_in_use(prefix):
    """Whether any mainland mobile number starts with `prefix` (phonenumbers' numbering plan, the one rule)."""
    rest = 11 - len(prefix)
    return any(_mobile_in_use(prefix + str(d) + fill[:rest - 1])
               for d in range(10) for fill in ("0000000000", "5555555555", "1234567890", "9999999999"))


def unallocated_mobile_prefix(digits: str) -> str:
    """The shortest start of an 11-digit number beginning with 1 that no mobile number has: "194" for 19412345678,
    "1612" for 16121234567 (only 1610 of the 161 range is allocated)."""
    for n in range(2, 11):
        if not _prefix_in_use(digits[:n]):
            return digits[:n]
    return digits


def format_phone(e164: str | None) -> str:
    """Display form: national for +86 numbers, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164  # not stored as E.164: show what we have
    if number.country_code == 86:
        fmt = phonenumbers.PhoneNumberFormat.NATIONAL
    else:
        fmt = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def random_mobile(rng: random.Random) -> str:
    """A valid random mainland mobile number in E.164."""
    while True:  # every listed prefix is valid; the loop only guards metadata changes
        national = rng.choice(_MOBILE_PREFIXES) + "".join(
            rng.choice(string.digits) for _ in range(8)
        )
        number = phonenumbers.parse(national, "CN")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------- WTForms


def _is_empty(data):
    return data is None or str(data).strip() == ""


class _ProblemValidator:
    """Raise ValidationError with the problem function's message; empty input is left to Optional/DataRequired."""

    def __init__(self, message=None):
        self.message = message

    def problem(self, value):
        raise NotImplementedError

    def __call__(self, form, field):
        if _is_empty(field.data):
            return
        problem = self.problem(field.data)
        if problem is not None:
            raise ValidationError(str(self.message or problem))


class VIN(_ProblemValidator):
    def problem(self, value):
        return vin_problem(value)


class Plate(_ProblemValidator):
    def problem(self, value):
        return plate_problem(value)


class Phone(_ProblemValidator):
    def __init__(self, region="CN", message=None):
        super().__init__(message)
        self.region = region

    def problem(self, value):
        return phone_problem(value, self.region)


def vin_filter(value):
    return value if not value else normalize_vin(value)


def plate_filter(value):
    return value if not value else normalize_plate(value)


def phone_filter(value):
    return value if not value else normalize_phone(value)
