"""The unified social credit code check (GB 32100-2015 and the embedded GB 11714 organisation code)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from landing.validators import credit_code_complete, validate_credit_code
from tests.factories import credit_code_with_check

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",
        " 91350100m000100y43 ",
        "9135 0100 M000 100Y 43",
        credit_code_with_check("91330200MA000007"),
    ],
)
def test_valid_codes_are_accepted_and_normalised(code):
    assert validate_credit_code(code) == "".join(code.split()).upper()


def test_the_demo_generator_agrees_with_the_test_factory():
    for n in range(50):
        first16 = f"91330200MA{n:06d}"
        assert credit_code_complete(first16) == credit_code_with_check(first16)
        assert validate_credit_code(credit_code_complete(first16)) == credit_code_complete(first16)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "The check character of this credit code is wrong; check for a typo."),
        (
            "91350100M000100Y53",
            "The organisation code inside this credit code (characters 9–17) is not valid; check for a typo.",
        ),
        ("91350100M000100Y4", "A unified social credit code has 18 characters; this one has 17."),
        ("", "A unified social credit code has 18 characters; this one has 0."),
        (
            "91350100M000100I43",
            "A unified social credit code cannot contain I (the letters I, O, S, V and Z are never used).",
        ),
        (
            "9135O1S0M0V0Z00Y43",
            "A unified social credit code cannot contain O, S, V, Z (the letters I, O, S, V and Z are never used).",
        ),
    ],
)
def test_invalid_codes_are_refused_with_a_clear_message(code, message):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.messages == [message]
