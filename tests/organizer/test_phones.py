from __future__ import annotations

import random

import phonenumbers
import pytest

from organizer.lib import phones
from organizer.lib.phones import InvalidPhone, deciding_length, normalize_phone

SHAPES = [
    "({a}) {e}-{l}",
    "{a}.{e}.{l}",
    "{a}-{e}-{l}",
    "{a}{e}{l}",
    "+1 {a} {e} {l}",
    "+1{a}{e}{l}",
    "1-{a}-{e}-{l}",
    "1 ({a}) {e}-{l}",
    " {a} {e} {l} ",
    "+1 ({a}) {e}.{l}",
]


def by_phonenumbers(text: str) -> str:
    """What libphonenumber alone says: the E.164 or the reason."""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return "not a number"
    if not phonenumbers.is_valid_number(number):
        return "invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def by_us(text: str) -> str:
    try:
        return normalize_phone(text, "US")
    except InvalidPhone as exc:
        return "not a number" if "is not a phone number" in str(exc) else "invalid"


def test_the_fast_path_agrees_with_phonenumbers_on_a_large_random_sample():
    rng = random.Random(7)
    phones._valid_by_prefix.clear()
    texts = []
    for _ in range(20000):
        area = f"{rng.randint(0, 999):03d}"
        # Numbers sharing their leading digits, so the memo answers for most of them.
        exchange = f"{rng.choice([rng.randint(0, 999), 555, 201, 246]):03d}"
        line = f"{rng.randint(0, 9999):04d}"
        texts.append(rng.choice(SHAPES).format(a=area, e=exchange, l=line))
    texts += ["+1 246 521 0123", "246-521-0199", "(876) 501-2222", "800 555 0100", "555-0100"]
    texts += ["12 345", "+44 20 7946 0958", "718 555 0101 x12", "1-800-FLOWERS", "+1 718 55"]
    disagreements = [(t, by_us(t), by_phonenumbers(t)) for t in texts]
    disagreements = [d for d in disagreements if d[1] != d[2]]
    assert disagreements == []
    assert sum(by_phonenumbers(t) not in ("invalid", "not a number") for t in texts) > 6000
    assert len(phones._valid_by_prefix) < 8000  # the memo did answer for most numbers


def test_numbers_sharing_their_deciding_digits_are_valid_or_invalid_together():
    rng = random.Random(11)
    for area in range(200, 1000):
        length = deciding_length(str(area))
        assert 3 <= length <= 10
        for _ in range(6):
            prefix = (str(area) + "".join(rng.choice("0123456789") for _ in range(7)))[:length]
            answers = set()
            for _ in range(4):
                rest = "".join(rng.choice("0123456789") for _ in range(10 - length))
                number = phonenumbers.PhoneNumber(
                    country_code=1, national_number=int(prefix + rest)
                )
                answers.add(phonenumbers.is_valid_number(number))
            assert len(answers) == 1, prefix


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("(718) 555-0101", "+17185550101"), ("1.212.555.0100", "+12125550100")],
)
def test_usual_us_shapes_become_e164(raw, e164):
    assert normalize_phone(raw) == e164


def test_bad_numbers_say_why():
    with pytest.raises(InvalidPhone, match="not a valid phone number for US"):
        normalize_phone("(123) 555-0101")
    with pytest.raises(InvalidPhone, match="Enter a phone number"):
        normalize_phone("  ")
