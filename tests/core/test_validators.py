import random

import flask
import flask_babel
import phonenumbers
import pytest
from wtforms import Form, StringField
from wtforms.validators import Optional, ValidationError

from app.core.validators import (
    CHINESE_WMIS,
    VIN,
    Phone,
    Plate,
    format_phone,
    make_vin,
    normalize_phone,
    normalize_plate,
    normalize_vin,
    phone_filter,
    phone_problem,
    plate_filter,
    plate_problem,
    plate_search_key,
    random_mobile,
    random_plate,
    random_vin,
    vin_check_digit,
    vin_filter,
    vin_problem,
)


@pytest.fixture(autouse=True)
def babel_ctx():
    """Lazy messages are rendered inside a bare Flask + Babel app context."""
    app = flask.Flask(__name__)
    flask_babel.Babel(app)
    with app.app_context():
        yield


def msg(problem):
    return None if problem is None else str(problem)


# ---------------------------------------------------------------- VIN


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "11111111111111111"])
def test_known_valid_vins(vin):
    """A correct VIN from a registration paper would be rejected."""
    assert vin_problem(vin) is None


def test_check_digit_of_textbook_vin():
    """Check digits would be computed wrongly, so good VINs get rejected."""
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert vin_check_digit("11111111111111111") == "1"


@pytest.mark.parametrize(
    "prefix,serial",
    [("LVSHFFAL0M8", "123456"), ("LSVAU2180N2", "018273"), ("LRW3E7EAPF", "123456"),
     ("WBA8E5C5XJA", "1A2B3C"), ("1M8GDM9AKP", "042788")],
)
def test_make_vin_builds_valid_vins(prefix, serial):
    """Demo data would contain VINs the app itself rejects."""
    vin = make_vin(prefix, serial)
    assert len(vin) == 17
    assert vin.endswith(normalize_vin(serial))
    assert vin_problem(vin) is None


def test_make_vin_reproduces_textbook_vin():
    """make_vin would place the check digit in the wrong position."""
    assert make_vin("1M8GDM9AKP", "042788") == "1M8GDM9AXKP042788"
    assert make_vin("1M8GDM9A?KP", "042788") == "1M8GDM9AXKP042788"


def test_chinese_vin_with_wrong_check_digit_is_rejected():
    """A mistyped Chinese VIN would be saved without warning."""
    vin = make_vin("LSVAU2180N2", "018273")
    wrong = "1" if vin[8] != "1" else "2"
    problem = msg(vin_problem(vin[:8] + wrong + vin[9:]))
    assert problem is not None
    assert f"should be {vin[8]}" in problem


def test_wrong_check_digit_names_expected_character():
    """The user would not be told which character position 9 should hold."""
    problem = msg(vin_problem("1M8GDM9A1KP042788"))
    assert "character 9" in problem and "should be X" in problem


@pytest.mark.parametrize("letter", ["I", "O", "Q"])
def test_vin_forbidden_letters(letter):
    """A VIN with I, O or Q (typo for 1/0) would be accepted or badly explained."""
    vin = "1M8GDM9AXKP04278" + letter
    problem = msg(vin_problem(vin))
    assert problem is not None and "I, O or Q" in problem and letter in problem


def test_vin_other_characters():
    """Punctuation in a VIN would slip through or give a confusing message."""
    problem = msg(vin_problem("1M8GDM9AXKP04278-"))
    assert "not allowed" in problem and "-" in problem


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP04278", "1M8GDM9AXKP0427888", "LVS"])
def test_vin_wrong_length_says_count(vin):
    """The user would not see how many characters they typed versus the 17 needed."""
    problem = msg(vin_problem(vin))
    assert "17" in problem and str(len(vin)) in problem


def test_normalize_vin():
    """Pasted VINs with spaces or lower case would be rejected."""
    assert normalize_vin("  1m8 gdm9ax kp042788 ") == "1M8GDM9AXKP042788"
    assert normalize_vin(None) == ""


def test_random_vin_always_valid():
    """Demo data would contain invalid VINs for some seeds."""
    for seed in range(500):
        rng = random.Random(seed)
        vin = random_vin(rng)
        assert vin_problem(vin) is None, vin
        assert vin.startswith("LVS")
        assert vin[11:].isdigit()
        assert random_vin(rng, wmi=None)[:3] in CHINESE_WMIS


def test_random_vin_is_reproducible():
    """Demo data would change between runs with the same seed."""
    assert random_vin(random.Random(7), "LGX") == random_vin(random.Random(7), "LGX")


# ---------------------------------------------------------------- plates


@pytest.mark.parametrize(
    "typed,normal",
    [("粤B12345", "粤B12345"), ("京A·88888", "京A88888"), (" 粤b 123.45 ", "粤B12345"),
     ("粤BD12345", "粤BD12345"), ("沪AF12345", "沪AF12345"), ("粤B12345D", "粤B12345D"),
     ("粤B1234学", "粤B1234学"), ("粤Z1234港", "粤Z1234港"), ("粤ＢＤ１２３４５", "粤BD12345")],
)
def test_valid_plates(typed, normal):
    """Ordinary, new-energy or special plates would be refused at reception."""
    assert normalize_plate(typed) == normal
    assert plate_problem(normal) is None


@pytest.mark.parametrize(
    "plate,expected",
    [("XB12345", "province character"), ("B12345", "province character"),
     ("粤B1234", "5 characters, or 6"), ("粤B1234567", "5 characters, or 6"),
     ("粤I12345", "cannot be I or O"), ("粤O12345", "cannot be I or O"),
     ("粤812345", "issuing office"), ("粤B123456", "D or F"),
     ("粤B12O45", "I or O"), ("粤B12-45", "not allowed")],
)
def test_invalid_plates(plate, expected):
    """A wrong plate would be saved, or the user would not learn what to fix."""
    problem = msg(plate_problem(plate))
    assert problem is not None and expected in problem


def test_plate_search_key_drops_province():
    """Searching "A12345" would not find the car 粤A12345."""
    assert plate_search_key("粤A·12345") == "A12345"
    assert plate_search_key("a12345") == "A12345"
    assert plate_search_key("粤A12345") == plate_search_key("A 12345")


@pytest.mark.parametrize("new_energy", [False, True])
def test_random_plate_always_valid(new_energy):
    """Demo data would contain plates the app itself rejects."""
    for seed in range(500):
        plate = random_plate(random.Random(seed), new_energy=new_energy)
        assert plate_problem(plate) is None, plate
        assert len(plate) == (8 if new_energy else 7)
    assert random_plate(random.Random(1), province="京", letter="A").startswith("京A")


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize("typed", ["13812345678", "+86 138 1234 5678", "138-1234-5678"])
def test_mainland_mobile_valid_and_normalised(typed):
    """Customers' mobile numbers would be refused or stored in several formats."""
    assert phone_problem(typed) is None
    assert normalize_phone(typed) == "+8613812345678"


def test_landline_with_area_code():
    """Company landlines would be refused."""
    assert phone_problem("020-1234 5678") is None
    assert normalize_phone("010 6552 9988") == "+861065529988"


def test_international_number():
    """A foreign customer's number would be refused."""
    assert phone_problem("+44 20 7946 0958") is None
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize(
    "typed,expected",
    [("12345", "11 digits"), ("12812345678", "start with 12:"), ("19412345678", "start with 194:"),
     ("16121234567", "start with 1612:"), ("14912345678", "start with 149:"), ("138abcd5678", "only digits"),
     ("+44 12", "country code")],
)
def test_invalid_phones(typed, expected):
    """A wrong phone number would be saved, or the message would not say why."""
    problem = msg(phone_problem(typed))
    assert problem is not None and expected in problem


def test_normalize_phone_leaves_invalid_input_alone():
    """The user's invalid input would be rewritten before they are told what is wrong."""
    assert normalize_phone(" 12345 ") == "12345"


def test_format_phone():
    """Phone numbers would be shown in an unreadable form."""
    assert format_phone("+8613812345678") == "138 1234 5678"
    assert format_phone("+442079460958") == "+44 20 7946 0958"
    assert format_phone("") == ""


def test_random_mobile_always_valid():
    """Demo customers would have invalid phone numbers."""
    for seed in range(500):
        e164 = random_mobile(random.Random(seed))
        number = phonenumbers.parse(e164)
        assert phonenumbers.is_valid_number(number) and number.country_code == 86
        assert phone_problem(e164) is None


# ---------------------------------------------------------------- WTForms


class CarForm(Form):
    vin = StringField(validators=[Optional(), VIN()], filters=[vin_filter])
    plate = StringField(validators=[Optional(), Plate()], filters=[plate_filter])
    phone = StringField(validators=[Optional(), Phone()], filters=[phone_filter])


class FakeField:
    def __init__(self, data):
        self.data = data


@pytest.mark.parametrize(
    "validator,bad,expected",
    [(VIN(), "1M8GDM9A1KP042788", "should be X"),
     (Plate(), "XB12345", "province character"),
     (Phone(), "12345", "11 digits")],
)
def test_wtforms_validators_raise_message(validator, bad, expected):
    """Form errors would be missing or not say what is wrong."""
    with pytest.raises(ValidationError) as info:
        validator(None, FakeField(bad))
    assert expected in str(info.value)


@pytest.mark.parametrize("validator", [VIN(), Plate(), Phone()])
@pytest.mark.parametrize("empty", [None, "", "   "])
def test_wtforms_validators_skip_empty(validator, empty):
    """Leaving an optional field blank would show a format error."""
    validator(None, FakeField(empty))


def test_validators_do_not_normalise_data():
    """A validator would silently change what the user typed."""
    field = FakeField("138-1234-5678")
    Phone()(None, field)
    assert field.data == "138-1234-5678"


def test_filters_pass_empty_through():
    """Blank optional fields would turn into something else."""
    for f in (vin_filter, plate_filter, phone_filter):
        assert f(None) is None
        assert f("") == ""


def test_form_with_filters_normalises_and_validates():
    """A form would store un-normalised values or accept bad ones."""
    from werkzeug.datastructures import MultiDict

    form = CarForm(MultiDict(
        {"vin": "1m8gdm9ax kp042788", "plate": "粤b·12345", "phone": "138 1234 5678"}
    ))
    assert form.validate(), form.errors
    assert form.data == {"vin": "1M8GDM9AXKP042788", "plate": "粤B12345",
                         "phone": "+8613812345678"}

    form = CarForm(MultiDict({"vin": "1M8GDM9A1KP042788", "plate": "", "phone": ""}))
    assert not form.validate()
    assert "should be X" in form.errors["vin"][0]
    assert "plate" not in form.errors and "phone" not in form.errors


@pytest.mark.parametrize("prefix", ["130", "145", "147", "162", "165", "166", "167", "170", "171", "172", "173", "175",
                                    "176", "190", "191", "192", "193", "195", "196", "197", "198", "199", "1740"])
def test_allocated_mobile_ranges_accepted(prefix):
    """A customer with a newer mobile number (190…, 192…, 166…, 170…) could not be put on file."""
    number = prefix + "12345678"[: 11 - len(prefix)]
    assert phone_problem(number) is None, number


@pytest.mark.parametrize("prefix", ["140", "154", "160", "163", "164", "168", "169", "179", "194", "1741"])
def test_unallocated_mobile_ranges_named(prefix):
    """A mistyped mobile number would be stored, or the advisor not told which first digits are wrong."""
    number = prefix + "12345678"[: 11 - len(prefix)]
    assert "start with %s:" % prefix in msg(phone_problem(number))
