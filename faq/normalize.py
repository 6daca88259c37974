"""Normalisation of Vietnamese text as people type it on phones.

Two forms:

* `fold` keeps the words and punctuation, only removes what people leave out anyway: case,
  diacritics and the stroke of đ. Used to compare button labels.
* `normalize` also expands common abbreviations and teencode (ko, dc, đk, sdt, ntn, bn …),
  replaces punctuation with spaces and tidies spacing. Used for matching and classification.

Both are pure, never raise on any `str`, and are idempotent: a normalised text normalises to
itself (the expansions below only produce words that are not abbreviations themselves).
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType
from typing import Final

# One token (after folding) -> its expansion. Ambiguous shorthand (c, a, e, t, tt …) is left
# alone on purpose: a wrong guess hurts matching more than an unknown token does.
ABBREVIATIONS: Final = MappingProxyType(
    {
        # không
        "ko": "khong",
        "k": "khong",
        "kh": "khong",
        "khg": "khong",
        "kg": "khong",
        "hok": "khong",
        "hk": "khong",
        "hem": "khong",
        "khog": "khong",
        "kng": "khong",
        "khonh": "khong",
        # được
        "dc": "duoc",
        "dk": "dang ky",
        "dky": "dang ky",
        "dki": "dang ky",
        "dkkd": "dang ky kinh doanh",
        "dkkh": "dang ky ket hon",
        "dkks": "dang ky khai sinh",
        # questions
        "ntn": "nhu the nao",
        "ntnao": "nhu the nao",
        "bn": "bao nhieu",
        "bnhieu": "bao nhieu",
        "j": "gi",
        "ji": "gi",
        "z": "vay",
        "v": "vay",
        "zay": "vay",
        "dzay": "vay",
        "bh": "bao gio",
        "bjo": "bao gio",
        "bgio": "bao gio",
        "lm": "lam",
        "lms": "lam sao",
        # people and pronouns
        "mk": "minh",
        "mik": "minh",
        "mh": "minh",
        "ng": "nguoi",
        "ngta": "nguoi ta",
        "nguoita": "nguoi ta",
        "ae": "anh em",
        "ad": "admin",
        # common words
        "sdt": "so dien thoai",
        "dt": "dien thoai",
        "dthoai": "dien thoai",
        "vs": "voi",
        "r": "roi",
        "ruj": "roi",
        "trc": "truoc",
        "cx": "cung",
        "cg": "cung",
        "dg": "duong",
        "wa": "qua",
        "qa": "qua",
        "mun": "muon",
        "thui": "thoi",
        "nhiu": "nhieu",
        "bik": "biet",
        "bit": "biet",
        "hs": "ho so",
        "gt": "giay to",
        "tgian": "thoi gian",
        "tg": "thoi gian",
        "ib": "nhan tin",
        "oke": "ok",
        "okela": "ok",
        "tks": "cam on",
        "thank": "cam on",
        "thanks": "cam on",
        "thankyou": "cam on",
        "camon": "cam on",
        "xchao": "xin chao",
        "xinchao": "xin chao",
        # administration
        "ubnd": "uy ban",
        "ubx": "uy ban xa",
        "ubxa": "uy ban xa",
        "bhyt": "bao hiem y te",
        "bhxh": "bao hiem xa hoi",
        "gcn": "giay chung nhan",
        "gks": "giay khai sinh",
        "qsdd": "quyen su dung dat",
        "nvqs": "nghia vu quan su",
        "dvc": "dich vu cong",
        "cccd": "can cuoc",
        "cmnd": "can cuoc",
        "cmt": "can cuoc",
        "tthc": "thu tuc hanh chinh",
        "tdp": "to dan pho",
        "mttq": "mat tran",
        "pakn": "phan anh kien nghi",
        "hkd": "ho kinh doanh",
        "gpxd": "giay phep xay dung",
        "sodo": "so do",
        "sohong": "so hong",
        "xtthn": "xac nhan tinh trang hon nhan",
    }
)

_NON_WORD = re.compile(r"[\W_]+")
_RUNS = re.compile(r"([^\W\d_])\1{2,}")
_SPACES = re.compile(r"\s+")


def _strip_marks(text: str) -> str:
    """Casefold, drop combining marks and turn đ into d. Never raises."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Casefolding and decomposition can expose new upper-case or combining forms for exotic
    # characters; a second pass makes the result a fixed point.
    again = unicodedata.normalize("NFD", unicodedata.normalize("NFC", bare).casefold())
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in again if not unicodedata.combining(ch))
    )


def fold(text: str) -> str:
    """NFC, casefold, remove diacritics (đ→d) and collapse spaces; punctuation is kept."""
    return _SPACES.sub(" ", _strip_marks(text)).strip()


def _expand(token: str) -> str:
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token]
    # "hongggg" -> "hong"; Vietnamese words never repeat a letter three times.
    token = _RUNS.sub(r"\1", token)
    return ABBREVIATIONS.get(token, token)


def normalize(text: str) -> str:
    """The matching form of a citizen's text: folded, abbreviations expanded, words only.

    >>> normalize("Đăng ký khai sinh ở đâu, cần gì z?")
    'dang ky khai sinh o dau can gi vay'
    >>> normalize("mình ko bik đk tạm trú ntn")
    'minh khong biet dang ky tam tru nhu the nao'
    """
    bare = _strip_marks(text)
    words = _NON_WORD.sub(" ", bare)
    return " ".join(_expand(token) for token in words.split())
