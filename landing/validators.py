"""The unified social credit code (统一社会信用代码, GB 32100-2015).

Eighteen characters from ``CHARSET`` (no I, O, S, V or Z): the registering authority,
the kind of organisation, six digits of the administrative division, the nine-character
organisation code (GB 11714, with its own check character) and a check character over
the first seventeen.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
LENGTH = 18


def normalise_credit_code(value: str) -> str:
    """Strip spaces anywhere and upper-case: the form people copy from a licence."""
    return "".join((value or "").split()).upper()


def org_code_check(first8: str) -> str:
    """The check character of an organisation code (GB 11714: letters count 10–35)."""
    total = sum(int(ch, 36) * weight for ch, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def credit_code_check(first17: str) -> str:
    """The code's own check character over its first seventeen characters (mod 31)."""
    total = sum(CHARSET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_complete(first16: str) -> str:
    """Add both check characters to sixteen characters (for generated demo data)."""
    first17 = first16 + org_code_check(first16[8:16])
    return first17 + credit_code_check(first17)


def validate_credit_code(value: str) -> str:
    """Return the normalised code or raise ``ValidationError`` saying what is wrong with it."""
    code = normalise_credit_code(value)
    if len(code) != LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)s.") % {"count": len(code)},
            code="credit_code_length",
        )
    bad = sorted({ch for ch in code if ch not in CHARSET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s (the letters I, O, S, V and Z are never used).")
            % {"chars": ", ".join(bad)},
            code="credit_code_characters",
        )
    if code[16] != org_code_check(code[8:16]):
        raise ValidationError(
            _("The organisation code inside this credit code (characters 9–17) is not valid; check for a typo."),
            code="credit_code_org_check",
        )
    if code[17] != credit_code_check(code[:17]):
        raise ValidationError(
            _("The check character of this credit code is wrong; check for a typo."), code="credit_code_check"
        )
    return code
