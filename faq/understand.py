"""What a citizen's free text means: a question, a report, a greeting, an emergency.

`Understander.understand` is pure and synchronous. Decision order:

1. emergency words (cháy, tai nạn, cướp, cấp cứu …) → EMERGENCY, whatever else matches;
2. only greetings or thanks → GREETING;
3. a problem described without a question (hỏng, ngập, đổ trộm …), or an explicit wish to
   file (muốn phản ánh / khiếu nại / tố cáo) → REPORT;
4. the FAQ score: ≥ answer_threshold → FAQ with the entry, unless the query is vague (at
   most two content words that name no single entry's title or tag) or the two best
   entries nearly tie; those, and scores between the thresholds → FAQ suggestions (top
   three, no entry chosen: "Có phải anh/chị hỏi…");
5. otherwise UNKNOWN.

`office` is always filled: where a report of this text would be routed.

`is_thanks` tells thanks from other greetings; `redact_for_log` makes a question safe for
the unanswered-question log.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Final

from rapidfuzz import fuzz

from domain.communes import TRIAGE_OFFICE
from faq.index import FUNCTION_WORDS, FaqIndex, Hit
from faq.knowledge import KnowledgeBase, load_knowledge_base
from faq.normalize import normalize
from faq.topics import (
    DEFAULT_ROUTING,
    TOPIC_KEYWORDS,
    classify_topic,
    topic_scores,
)

# Thresholds tuned on tests/data/faq_dev.toml (never on the held-out labelled set).
ANSWER_THRESHOLD: Final = 0.56
SUGGEST_THRESHOLD: Final = 0.45
# A query with at most this many content words is vague ("giấy tờ", "phí", "thủ tục"): it
# is answered directly only when it names one entry's title or tag ("khai sinh", "tạm trú").
VAGUE_WORDS: Final = 2
# When the first two entries score within this margin, neither is answered: suggestions.
TIE_MARGIN: Final = 0.02
# A vague query this similar (rapidfuzz ratio) to an entry's own title names that entry.
TITLE_SIMILARITY: Final = 85.0
RECORD_KINDS: Final = frozenset({"phan_anh", "kien_nghi", "khieu_nai", "to_cao"})


class Intent(StrEnum):
    FAQ = "faq"
    REPORT = "report"
    GREETING = "greeting"
    EMERGENCY = "emergency"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Understanding:
    intent: Intent
    faq_id: str | None
    suggestions: tuple[str, ...]
    topic: str | None
    office: str
    confidence: float


def _lexicon(text: str) -> frozenset[str]:
    """Comma-separated phrases, in normalised form, into a set (a phrase may span lines)."""
    return frozenset(" ".join(phrase.split()) for phrase in text.split(",") if phrase.strip())


# --- lexicons (normalised form) -------------------------------------------------------------

EMERGENCY_PHRASES: Final = _lexicon(
    """
    nguoi ngat, ngat roi, ngat di, lam ngat,
    cap cuu, tai nan, cuop, an cuop, cuop giat, danh nhau, dam nhau, chem nhau, dang danh,
    dang bi danh, hanh hung, ngat xiu, bi ngat, ngat lim, bat tinh, dot quy, co giat, hoa
    hoan, chay nha, dang chay, nha bi chay, nha toi bi chay, nha minh bi chay, nha em bi chay,
    xuong bi chay, kho bi chay, boc chay, chay lon, chay rung, chay to, lua chay, khoi lua,
    cuu voi, cuu toi, cuu nguoi, cuu em, duoi nuoc, chet duoi, sap nha, nha sap, no binh
    gas, ro ri gas, ro gas, gas bi ro, gas bi ro ri, binh gas bi ro, dien giat, giat dien,
    chay mau, dang chay mau, tu tu, nhay
    cau, co nguoi chet, nguoi chet, bi dam, dam nguoi, bat coc, dang truy sat, dang cuop,
    dang trom,
    bi danh, danh dap, bi danh dap, danh nguoi, danh chet, danh toi, danh em, danh vo,
    danh con, danh me, bi hanh hung, dot nha, doa dot nha, phong hoa, dot xe,
    nem bom xang, bi cho can, cho can nguoi, cho dai can, cho can chau, cho can con, cho
    can be, bi ran can, ran can, hiep dam, bi hiep dam, cuong hiep, xam hai tinh duc, bi xam
    hai, doa giet, cam dao, vac dao, ngo doc, bi ngo doc, kho tho, khong tho duoc, ngung
    tho, lu cuon, nuoc cuon, bi dien giat, mac ket, bi mac ket, de vo, de sap vo, vo de,
    sat lo dat, lo dat vui, nuoc lu len, lu len nhanh, mui gas, nong mui gas, dang co trom,
    trom dang, co trom trong nha, trom vao nha
    """
)
# An emergency phrase ending in these words is no emergency when the next word is one of
# these: "bị đánh thuế", "bị đánh giá", "bị đánh cắp" …
NOT_EMERGENCY_NEXT: Final[Mapping[str, frozenset[str]]] = {
    "danh": _lexicon(
        """
        thue, gia, dau, bac, bai, co, lua, rang, may, bong, thuc, so, tieng, phi, dong,
        giay, chu, van, xep, tin, cap
        """
    ),
}
# ... and when the word before it makes it another word: "định danh", "nặc danh", "điểm danh".
NOT_EMERGENCY_BEFORE: Final[Mapping[str, frozenset[str]]] = {
    "danh": _lexicon("dinh, nac, diem, chuc, mao, biet, but"),
}
# Written with marks, these words are not the emergency the plain form suggests:
# "bí danh" (an alias) is not "bị đánh".
NOT_EMERGENCY_MARKED: Final = frozenset({("bí", "danh"), ("bí", "đanh")})
# Written with marks, these are emergencies even where the plain form is ambiguous
# ("cho can" is also "cho cán bộ").
EMERGENCY_MARKED_PAIRS: Final = frozenset({("chó", "cắn"), ("chó", "cán")})
# Words whose diacritics decide: "cháy" (fire) but not "chạy" (run) or "chay" (vegetarian).
EMERGENCY_WORDS_WITH_MARKS: Final = _lexicon(
    """
    cháy, ngất, cướp, cứu
    """
)
NOT_EMERGENCY_AFTER: Final = _lexicon(
    """
    phong, chua, den, bong, cau, chi, xe
    """
)

FIRE_CONTEXT: Final = frozenset({"lua", "khoi", "nha chay"})
LIGHTING_WORDS: Final = frozenset({"den", "bong den", "cau chi", "bong"})
GREETING_WORDS: Final = _lexicon(
    """
    xin, chao, alo, hello, hi, helo, hey, cam, on, ok, vang, da, u, uh, a, ah, ak, nhe,
    nha, nhieu, lam, admin, bot, anh, chi, em, ban, co, bac, ong, ba, chu, moi, nguoi,
    tam, biet, bye, chuc, ngay, tot, lanh, buoi, sang, chieu, toi, minh, xa, uy, oi, hihi,
    hehe, good, morning, cam on, dc, roi, duoc, vay, the, thoi, hay, qua, tuyet, voi,
    hieu, ro, you, thx, thks, much, so, da ta, ta
    """
)
GREETING_CORE: Final = _lexicon(
    """
    chao, alo, hello, hi, helo, hey, cam on, ok, bye, tam biet, hieu, thx, thks, da ta
    """
)
# Thanks, in normalised form ("cám ơn", "tks", "thanks", "camon" all normalise to "cam on").
THANKS_PHRASES: Final = _lexicon(
    """
    cam on, thx, thks, da ta, cam ta
    """
)

PROBLEM_PHRASES: Final = _lexicon(
    """
    lan ra, lan sang, xay lan, rac, bai rac, rac thai,
    hong, bi hong, hu, hu hong, bi vo, bi tac, ngap, ngap ung, o nhiem, do trom, vut rac,
    xa rac, chay bong, mat dien, cup dien, mat nuoc, on ao, gay on, on qua, lan chiem, xa thai, boc
    mui, hoi thoi, mui hoi, sut lun, lun, nut, o ga, o voi, gay do, cay do, do cay, khong
    sang, chap chon, toi om, toi thui, khoi bui, dot rac, trom, mat trom, bi trom, danh
    bac, ma tuy, tu tap, dua xe, no po, xay trai phep, xay sai phep, khong ai don, bo bua,
    ton dong, dong nuoc, ro ri, dut day, xe tai, qua tai, lay loi, nhung nhieu, doi tien,
    hach dich, an hoi lo, tham nhung, hat karaoke, mo nhac to, thuoc tru sau, nuoc thai,
    lang phi, lam an gian, chua sua, chua ai, khong ai, khong duoc giai quyet, cho tha
    rong, phao, lua dao, nhau nhet, say ruou, dau xe, do xe, chan duong, lan duong, lan
    via he, bi sap, sap do, bi gay, nuoc tran, tac cong, tac nghen, vo ong, vo duong, vo
    mat, xac chet, ca chet, bui bam, bui qua, rat bui, boc mui hoi, hoi qua, vo tran,
    ong nuoc vo, tran ra duong, trai phep, xay dung trai phep
    """
)
FILING_VERBS: Final = _lexicon(
    """
    phan anh, kien nghi, khieu nai, to cao, bao cao, bao, to giac, gop y
    """
)
WISH_WORDS: Final = _lexicon(
    """
    muon, can, xin, de nghi, yeu cau
    """
)

QUESTION_PHRASES: Final = _lexicon(
    """
    sao, the nao, nhu the nao, lam sao, o dau, cho nao, bao lau, bao nhieu, bao gio, khi
    nao, luc nao, can gi, can nhung gi, gi, nao, may, co duoc khong, duoc khong, co phai,
    phai khong, thu tuc, giay to, huong dan, cho hoi, xin hoi, muon hoi, hoi ve, hoi chut,
    em hoi, toi hoi, hoi ai, hoi la, ai, co can, co mat, co bi, co duoc, la gi, nghia la,
    co khong, khong a, chua a, ra sao
    """
)
# "không ai dọn" reports a problem; "ai" here is not a question.
NOT_QUESTION: Final = _lexicon(
    """
    khong ai, chua ai, ai do, ai cung
    """
)


# Phrases that contain a lexicon word with another meaning: "sổ hồng" is not broken,
# "xe máy" asks nothing, "mùi hôi" asks nothing.
MASKED: Final = _lexicon(
    """
    so hong, xe may, may bom, may moc, may xuc, may cay, may lanh, mui hoi, hoi thoi, boc
    mui, sao y, ban sao, sao ke
    """
)


def _masked(normalised: str) -> str:
    padded = f" {normalised} "
    for phrase in MASKED:
        padded = padded.replace(f" {phrase} ", " _ ")
    return padded.strip()


def _grams(normalised: str, longest: int = 4) -> frozenset[str]:
    """Every run of 1 to `longest` consecutive words: lexicon lookups become set operations."""
    words = normalised.split()
    return frozenset(
        " ".join(words[start : start + size])
        for size in range(1, longest + 1)
        for start in range(len(words) - size + 1)
    )


@dataclass(frozen=True, slots=True)
class _Text:
    """A message analysed once: raw, normalised, and its word runs (plain and masked)."""

    raw: str
    normalised: str
    grams: frozenset[str]
    masked: frozenset[str]

    @classmethod
    def of(cls, text: str) -> _Text:
        normalised = normalize(text)
        return cls(text, normalised, _grams(normalised), _grams(_masked(normalised)))


def _raw_words(raw: str) -> list[str]:
    words = unicodedata.normalize("NFC", raw).casefold().split()
    return [word.strip(".,!?;:()\"'…") for word in words]


def _emergency_phrase(text: _Text, raw_words: Sequence[str]) -> bool:
    """An emergency phrase, unless the word after it or the marks say otherwise."""
    if not text.grams & EMERGENCY_PHRASES:
        return False
    alias = any(pair in NOT_EMERGENCY_MARKED for pair in pairwise(raw_words))
    words = text.normalised.split()
    for start in range(len(words)):
        for size in range(1, 5):
            phrase = " ".join(words[start : start + size])
            if start + size > len(words) or phrase not in EMERGENCY_PHRASES:
                continue
            first, last = words[start], words[start + size - 1]
            before = words[start - 1] if start else ""
            if before in NOT_EMERGENCY_BEFORE.get(first, ()):
                continue
            after = words[start + size] if start + size < len(words) else ""
            if after in NOT_EMERGENCY_NEXT.get(last, ()):
                continue
            if alias and "bi danh" in phrase:
                continue
            return True
    return False


def _emergency(text: _Text) -> bool:
    raw_words = _raw_words(text.raw)
    if _emergency_phrase(text, raw_words):
        return True
    if any(pair in EMERGENCY_MARKED_PAIRS for pair in pairwise(raw_words)):
        return True
    if text.grams & LIGHTING_WORDS:
        return False  # "đèn cháy bóng": a broken light, not a fire
    # Diacritics-sensitive words: look at the casefolded original, word by word.
    words = raw_words
    for position, word in enumerate(words):
        if word in EMERGENCY_WORDS_WITH_MARKS:
            before = normalize(words[position - 1]) if position else ""
            if before not in NOT_EMERGENCY_AFTER:
                return True
    return "chay" in text.grams and bool(text.grams & FIRE_CONTEXT)


def _question(text: _Text) -> bool:
    if "?" in text.raw:
        return True
    found = text.masked & QUESTION_PHRASES
    if not found:
        return False
    if found <= {"may"} and text.masked & PROBLEM_PHRASES:
        return False  # "xe máy ngã mấy lần rồi": máy / mấy lần, not "how many?"
    return not (found <= {"ai"} and text.grams & NOT_QUESTION)


def _greeting(text: _Text) -> bool:
    words = text.normalised.split()
    return bool(words and text.grams & GREETING_CORE) and all(w in GREETING_WORDS for w in words)


def _report(text: _Text) -> bool:
    words = text.normalised.split()
    asks_co_khong = len(words) >= 3 and words[-1] in {"khong", "chua"} and "co" in words[:-1]
    if _question(text) or asks_co_khong:
        return False
    if text.masked & PROBLEM_PHRASES:
        return True
    return bool(text.grams & FILING_VERBS and text.grams & WISH_WORDS)


def is_emergency(text: str) -> bool:
    """Emergency wording, with or without diacritics."""
    return _emergency(_Text.of(text))


def is_question(text: str) -> bool:
    """The text asks something (question words, "?", "thủ tục", "giấy tờ" …)."""
    return _question(_Text.of(text))


def is_greeting(text: str) -> bool:
    """Only greetings, thanks or acknowledgements."""
    return _greeting(_Text.of(text))


def is_thanks(text: str) -> bool:
    """The text thanks someone (cảm ơn, cám ơn, cam on, thanks, tks …).

    Pure; the core asks it of a GREETING text to answer thanks with "xin cảm ơn" rather
    than "xin chào"."""
    return bool(_Text.of(text).grams & THANKS_PHRASES)


def reports_problem(text: str) -> bool:
    """A problem is described (or a filing is asked for) and nothing is asked."""
    return _report(_Text.of(text))


class Understander:
    """Pure text understanding over one knowledge base and one routing table."""

    def __init__(
        self,
        kb: KnowledgeBase,
        routing: Mapping[str, str] | None = None,
        *,
        answer_threshold: float = ANSWER_THRESHOLD,
        suggest_threshold: float = SUGGEST_THRESHOLD,
    ) -> None:
        if not 0.0 <= suggest_threshold <= answer_threshold <= 1.0:
            raise ValueError("need 0 <= suggest_threshold <= answer_threshold <= 1")
        self.kb = kb
        self.routing: Mapping[str, str] = dict(DEFAULT_ROUTING if routing is None else routing)
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self._entries = kb.entries
        self._index = FaqIndex(kb.entries)
        # Titles and tags, normalised: which entries each one names.
        names: dict[str, set[int]] = {}
        for position, entry in enumerate(kb.entries):
            for name in (entry.title, *entry.tags):
                names.setdefault(normalize(name), set()).add(position)
        self._names = {name: frozenset(owners) for name, owners in names.items() if name}
        self._titles = [normalize(entry.title) for entry in kb.entries]
        self._vocabulary: frozenset[str] | None = None

    @property
    def vocabulary(self) -> frozenset[str]:
        """Words the unanswered-question log may keep (`redact_for_log`): the knowledge
        base's normalised words and the routing keywords' words."""
        if self._vocabulary is None:
            self._vocabulary = log_vocabulary(self.kb)
        return self._vocabulary

    def _specific(self, normalised: str, position: int) -> bool:
        """The query names this entry alone: its title or one of its tags, nothing else."""
        content = " ".join(w for w in normalised.split() if w not in FUNCTION_WORDS)
        if self._names.get(content) == frozenset({position}):
            return True
        title = self._titles[position]
        alone = self._names.get(title) == frozenset({position})
        return alone and fuzz.ratio(normalised, title) >= TITLE_SIMILARITY

    def _decisive(self, normalised: str, hits: Sequence[Hit]) -> bool:
        """The best hit may be answered directly: the query is not vague, no near tie."""
        content = [word for word in normalised.split() if word not in FUNCTION_WORDS]
        tie = len(hits) > 1 and hits[0].score - hits[1].score < TIE_MARGIN
        if len(content) > VAGUE_WORDS and not tie:
            return True
        return self._specific(normalised, hits[0].position)

    def _office(self, topic: str | None) -> str:
        if topic is None:
            return TRIAGE_OFFICE
        return self.routing.get(topic, TRIAGE_OFFICE)

    def route(self, text: str, kind: str) -> tuple[str | None, str]:
        """(topic, office) for a record of `kind` with this text."""
        if kind not in RECORD_KINDS:
            raise ValueError(
                f"unknown record kind {kind!r}; expected one of {sorted(RECORD_KINDS)}"
            )
        topic = classify_topic(normalize(text))
        if kind in {"khieu_nai", "to_cao"}:
            return topic, TRIAGE_OFFICE
        return topic, self._office(topic)

    def understand(self, text: str) -> Understanding:
        analysed = _Text.of(text)
        normalised = analysed.normalised
        if not normalised:
            return Understanding(Intent.UNKNOWN, None, (), None, TRIAGE_OFFICE, 0.0)
        if _emergency(analysed):
            office = self._office("khan_cap")
            return Understanding(Intent.EMERGENCY, None, (), "khan_cap", office, 1.0)
        if _greeting(analysed):
            return Understanding(Intent.GREETING, None, (), None, TRIAGE_OFFICE, 1.0)
        topic = classify_topic(normalised)
        if _report(analysed):
            strength = max(topic_scores(normalised).values(), default=0)
            confidence = 0.5 + 0.5 * min(1.0, strength / 6)
            return Understanding(Intent.REPORT, None, (), topic, self._office(topic), confidence)
        hits = self._index.search(normalised, limit=3)
        best = hits[0].score if hits else 0.0
        if hits and best >= self.answer_threshold and self._decisive(normalised, hits):
            entry = self._entries[hits[0].position]
            entry_topic = entry.topic or topic
            office = self._office(entry_topic)
            return Understanding(Intent.FAQ, entry.id, (), entry_topic, office, best)
        if hits and best >= self.suggest_threshold:
            ids = tuple(self._entries[hit.position].id for hit in hits)
            # No topic in the text: the suggestions' topic when they share one, else triage.
            topics = {self._entries[hit.position].topic for hit in hits}
            guess = topic or (topics.pop() if len(topics) == 1 else None)
            return Understanding(Intent.FAQ, None, ids, guess, self._office(guess), best)
        return Understanding(Intent.UNKNOWN, None, (), topic, self._office(topic), best)

    def candidates(self, text: str, limit: int = 3) -> list[tuple[str, float]]:
        """The best entry ids with their scores, whatever the thresholds (for tools)."""
        hits = self._index.search(normalize(text), limit=limit)
        return [(self._entries[hit.position].id, hit.score) for hit in hits]


# --- redaction for the unanswered-question log --------------------------------------------

REDACTED: Final = "…"
LONG_NUMBER: Final = 6  # digits: phone, căn cước, account numbers
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Digit groups split by spaces, dots or dashes ("0912 345 678", "0912.345.678") are one number.
_DIGIT_GROUPS = re.compile(r"(?<!\d)\d+(?:[ .\-]\d+)+(?!\d)")
# Words kept in the log even when the knowledge base never uses them: how people ask.
LOG_FUNCTION_WORDS: Final = FUNCTION_WORDS | _lexicon(
    """
    khong, ko, co, la, thi, o, cua, va, hay, hoac, nhung, neu, vi, nen, thi, se, da, dang,
    con, cho, voi, tu, den, ve, tai, trong, ngoai, sau, truoc, nay, do, kia, day, ay, nhe,
    a, ha, the, vay, sao, nao, gi, ai, dau, bao, nhieu, lau, gio, may, hoi, xin, giup,
    duoc, phai, can, muon, biet, lam, di, toi, em, anh, chi, ban, minh, chung, ho, nguoi,
    nha, cai, viec, ngay, thang, nam, roi, chua, moi, cung, deu, rat, qua, lai, ra, vao
    """
)
# Vietnamese surnames that are no ordinary word: they and the given names after them go.
SURNAMES: Final = _lexicon("nguyen, tran, huynh, hoang, bui, ngo, doan")
# Lead-ins after which a name follows: "tên tôi là …", "họ tên …".
NAME_LEAD_INS: Final = _lexicon("ten la, ten toi, toi ten, em ten, minh ten, ho ten, ten em")
GIVEN_NAMES_MAX: Final = 3
# Given names can look like function words ("Thị", "Minh"): they do not end a name.
_NAME_STOPS: Final = LOG_FUNCTION_WORDS - {"thi", "minh", "an", "ha", "con"}


def log_vocabulary(kb: KnowledgeBase) -> frozenset[str]:
    """Words the log may keep: the knowledge base's words and the routing keywords'."""
    routing = {
        word for table in TOPIC_KEYWORDS.values() for phrase in table for word in phrase.split()
    }
    return kb.vocabulary() | routing


@functools.cache
def _bundled_vocabulary() -> frozenset[str]:
    return log_vocabulary(load_knowledge_base())


def _name_positions(words: Sequence[str]) -> set[int]:
    """Positions of words that are most likely a person's name."""
    names: set[int] = set()
    for position, word in enumerate(words):
        pair = " ".join(words[max(0, position - 1) : position + 1])
        starts = word in SURNAMES
        if starts:
            names.add(position)
        if starts or pair in NAME_LEAD_INS:
            following = position + 1
            if following < len(words) and words[following] == "la":
                following += 1
            for after in range(following, min(len(words), following + GIVEN_NAMES_MAX)):
                if words[after] in _NAME_STOPS:
                    break
                names.add(after)
    return names


def redact_for_log(text: str, vocabulary: Collection[str] | None = None) -> str:
    """`text` as the unanswered-question log may keep it: normalised; e-mail addresses and
    numbers of 6+ digits (also written in groups, "0912 345 678") removed; names removed;
    every word that is neither in `vocabulary` (the knowledge base's words, see
    `Understander.vocabulary`) nor a common function word replaced by "…", consecutive
    ones collapsed. Without `vocabulary`, the bundled knowledge base's words are used.
    """
    known = _bundled_vocabulary() if vocabulary is None else vocabulary
    cleaned = _EMAIL.sub(" ", text)
    cleaned = _DIGIT_GROUPS.sub(lambda match: re.sub(r"[ .\-]", "", match.group()), cleaned)
    words = normalize(cleaned).split()
    names = _name_positions(words)
    kept: list[str] = []
    for position, word in enumerate(words):
        keep = (
            position not in names
            and not (word.isdigit() and len(word) >= LONG_NUMBER)
            and (word in known or word in LOG_FUNCTION_WORDS)
        )
        if keep:
            kept.append(word)
        elif not kept or kept[-1] != REDACTED:
            kept.append(REDACTED)
    return " ".join(kept)
