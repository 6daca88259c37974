"""Word lists as data: the topics table and the lexicons, loaded once and validated.

The bundled files are `faq/data/topics.toml` (offices, topics, their routing and weighted
keywords) and `faq/data/lexicons/*.toml` (the phrase lists of faq/intent.py, faq/redact.py,
faq/index.py and the abbreviations of faq/normalize.py); each file says what its lists are
for. `SCHEMA` names every file, key and the form its phrases are written in.

A deployment folder of `bot.knowledge_dirs` (the folders that hold its knowledge-base TOML
files) may add its own `topics.toml` and `lexicons/<name>.toml`, loaded after the bundled
files in the order of `knowledge_dirs`:

* a list gains the folder's phrases (a deployment cannot remove a bundled phrase);
* a topic gains keywords (a keyword listed again takes the new weight) and may take another
  `name` or `office`; `[offices]` may add or rename an office; new topics are refused, since
  the digest and the conversation label topics by the bundled table;
* `abbreviations`, `function_words` and `names` are bundled only: `normalize`, the FAQ index
  and the log redaction share them process-wide.

A deployment's lists reach the `Understander` built with its `Lexicon` (intent, topic and
office of a text). The module-level helpers (`faq.intent.is_emergency`, `is_thanks`,
`requested_kind` …) use the bundled lexicon unless given one.

Errors name the file and the key; unknown files and keys are refused. Whether each phrase is
written in the form it is matched in is checked by `faq.check.check_lexicon`
(`danvan faq check`), not here: a deployment's file loads, then the check says what is wrong.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

DATA_DIR: Final = Path(__file__).parent / "data"
TOPICS_FILE: Final = "topics.toml"
LEXICON_DIR: Final = "lexicons"
ABBREVIATIONS_FILE: Final = "abbreviations"
# Keyword weights: 3 the phrase alone names the topic, 2 strong hint, 1 weak hint.
WEIGHTS: Final = range(1, 4)


class LexiconError(Exception):
    """A lexicon or topics file cannot be used: bad TOML, an unknown or mistyped key."""


class Form(StrEnum):
    """How the phrases of a list are written, which is how they are looked up."""

    PHRASE = "phrase"  # normalised, one to four words: looked up among a text's word runs
    TEXT = "text"  # normalised, any number of words: looked up as whole words anywhere
    WORD = "word"  # one normalised word
    PAIR = "pair"  # exactly two normalised words
    MARKED_WORD = "marked word"  # one word as typed: lower case, diacritics kept
    MARKED_PAIR = "marked pair"  # two such words


@dataclass(frozen=True, slots=True)
class Spec:
    form: Form
    by_word: bool = False  # a table `word = [phrases]` rather than one list


# file -> key -> spec. A bundled file has every key; a deployment's file any of them.
SCHEMA: Final[Mapping[str, Mapping[str, Spec]]] = MappingProxyType(
    {
        "emergency": {
            "phrases": Spec(Form.PHRASE),
            "words_with_marks": Spec(Form.MARKED_WORD),
            "marked_pairs": Spec(Form.MARKED_PAIR),
            "fire_context": Spec(Form.PHRASE),
            "lighting": Spec(Form.PHRASE),
        },
        "not_emergency": {
            "marked_pairs": Spec(Form.MARKED_PAIR),
            "after_marked": Spec(Form.WORD),
            "preventive": Spec(Form.PHRASE),
            "next": Spec(Form.WORD, by_word=True),
            "before": Spec(Form.WORD, by_word=True),
        },
        "greetings": {"words": Spec(Form.WORD), "core": Spec(Form.PHRASE)},
        "thanks": {"phrases": Spec(Form.PHRASE)},
        "problems": {"phrases": Spec(Form.PHRASE)},
        "filing": {"verbs": Spec(Form.PHRASE), "wishes": Spec(Form.PHRASE)},
        "questions": {"phrases": Spec(Form.PHRASE), "not_question": Spec(Form.PHRASE)},
        "masked": {"phrases": Spec(Form.TEXT)},
        "kinds": {
            "to_cao": Spec(Form.TEXT),
            "khieu_nai": Spec(Form.TEXT),
            "kien_nghi": Spec(Form.TEXT),
        },
        "function_words": {"retrieval": Spec(Form.WORD), "log": Spec(Form.WORD)},
        "names": {
            "surnames": Spec(Form.WORD),
            "lead_ins": Spec(Form.PAIR),
            "given_names": Spec(Form.WORD),
            "written_surnames": Spec(Form.WORD),
            "honorifics": Spec(Form.MARKED_WORD),
            "plain_honorifics": Spec(Form.WORD),
        },
    }
)
BUNDLED_ONLY: Final = frozenset({ABBREVIATIONS_FILE, "function_words", "names"})
_TOPIC_KEYS: Final = ("name", "office", "keywords")


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    origin: str  # the file it comes from, for messages


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    name: str
    office: str
    keywords: Mapping[str, int]  # normalised phrase -> weight, in file order
    origins: Mapping[str, str] = field(repr=False, compare=False)  # phrase -> file


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Every word list, merged from the bundled files and a deployment's folders.

    Compared and hashed by identity: a lexicon is loaded once and passed around."""

    offices: Mapping[str, str]  # code -> name, in file order
    topics: Mapping[str, Topic]
    # "file.key" (or "file.key.word" for a `by_word` table) -> phrases, in file order; a
    # phrase listed twice stays twice, so that the check can report it.
    lists: Mapping[str, tuple[Phrase, ...]]
    abbreviations: Mapping[str, str]
    abbreviation_origin: str = ""

    def phrases(self, name: str) -> tuple[str, ...]:
        """The phrases of list `name` ("emergency.phrases"), in order, without repeats."""
        if name not in self.lists and not _known_list(name):
            raise KeyError(f"no lexicon list {name!r}")
        return tuple(dict.fromkeys(phrase.text for phrase in self.lists.get(name, ())))

    def words(self, name: str) -> frozenset[str]:
        """The phrases of list `name` as a set."""
        return frozenset(self.phrases(name))

    def by_word(self, name: str) -> Mapping[str, frozenset[str]]:
        """A `word = [phrases]` table ("not_emergency.next") as word -> phrases."""
        prefix = f"{name}."
        return MappingProxyType(
            {
                key.removeprefix(prefix): self.words(key)
                for key in self.lists
                if key.startswith(prefix)
            }
        )

    @property
    def routing(self) -> Mapping[str, str]:
        """Topic -> office: the default routing table."""
        return MappingProxyType({topic.id: topic.office for topic in self.topics.values()})

    @property
    def topic_names(self) -> Mapping[str, str]:
        return MappingProxyType({topic.id: topic.name for topic in self.topics.values()})


def _known_list(name: str) -> bool:
    file, _, key = name.partition(".")
    return key.split(".")[0] in SCHEMA.get(file, {})


# --- reading ---------------------------------------------------------------------------------


def _document(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise LexiconError(f"{file}: cannot read: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise LexiconError(f"{file}: invalid TOML: {error}") from error


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LexiconError(f"{where} must be an array of strings")
    if any(not item.strip() for item in value):
        raise LexiconError(f"{where} holds an empty phrase")
    return value


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LexiconError(f"{where} must be a table")
    return value


def _refuse_unknown(table: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    expected = list(known)
    unknown = sorted(set(table) - set(expected))
    if unknown:
        raise LexiconError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(expected)}"
        )


@dataclass
class _Builder:
    """The lexicon while its files are read, bundled first."""

    offices: dict[str, str] = field(default_factory=dict)
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)
    lists: dict[str, list[Phrase]] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    abbreviation_origin: str = ""

    def add_lexicon(
        self, name: str, document: Mapping[str, Any], origin: str, bundled: bool
    ) -> None:
        schema = SCHEMA[name]
        _refuse_unknown(document, schema, origin)
        if bundled:
            missing = [key for key in schema if key not in document]
            if missing:
                raise LexiconError(f"{origin}: missing key(s) {', '.join(missing)}")
        for key, spec in schema.items():
            if key not in document:
                continue
            if spec.by_word:
                for word, value in _table(document[key], f"{origin}: {key}").items():
                    self._extend(f"{name}.{key}.{word}", value, f"{origin}: {key}.{word}", origin)
            else:
                self._extend(f"{name}.{key}", document[key], f"{origin}: {key}", origin)

    def _extend(self, name: str, value: Any, where: str, origin: str) -> None:
        phrases = [Phrase(text, origin) for text in _strings(value, where)]
        self.lists.setdefault(name, []).extend(phrases)

    def add_abbreviations(self, document: Mapping[str, Any], origin: str) -> None:
        _refuse_unknown(document, ["expansions"], origin)
        table = _table(document.get("expansions"), f"{origin}: expansions")
        for token, expansion in table.items():
            if not isinstance(expansion, str) or not expansion.strip():
                raise LexiconError(f"{origin}: expansions.{token} must be a non-empty string")
        self.abbreviations = dict(table)
        self.abbreviation_origin = origin

    def add_topics(self, document: Mapping[str, Any], origin: str, bundled: bool) -> None:
        _refuse_unknown(document, ["offices", "topics"], origin)
        for code, name in _table(document.get("offices", {}), f"{origin}: offices").items():
            if not isinstance(name, str) or not name.strip():
                raise LexiconError(f"{origin}: offices.{code} must be a non-empty string")
            self.offices[code] = name
        for topic_id, table in _table(document.get("topics", {}), f"{origin}: topics").items():
            where = f"{origin}: topics.{topic_id}"
            table = _table(table, where)
            _refuse_unknown(table, _TOPIC_KEYS, where)
            if bundled:
                missing = [key for key in _TOPIC_KEYS if key not in table]
                if missing:
                    raise LexiconError(f"{where}: missing key(s) {', '.join(missing)}")
                self.topics[topic_id] = {"keywords": {}, "origins": {}}
            elif topic_id not in self.topics:
                raise LexiconError(
                    f"{where}: unknown topic; a deployment may change the bundled topics "
                    f"({', '.join(self.topics)}), not add one"
                )
            self._topic(self.topics[topic_id], table, where, origin)
        for topic_id, topic in self.topics.items():
            if topic["office"] not in self.offices:
                raise LexiconError(
                    f"{origin}: topics.{topic_id}: office {topic['office']!r} is not one of "
                    f"{', '.join(self.offices)}"
                )

    @staticmethod
    def _topic(topic: dict[str, Any], table: Mapping[str, Any], where: str, origin: str) -> None:
        for key in ("name", "office"):
            if key in table:
                if not isinstance(table[key], str) or not table[key].strip():
                    raise LexiconError(f"{where}: {key} must be a non-empty string")
                topic[key] = table[key]
        for phrase, weight in _table(table.get("keywords", {}), f"{where}: keywords").items():
            if isinstance(weight, bool) or weight not in WEIGHTS:
                raise LexiconError(
                    f"{where}: keywords.{phrase!r} = {weight!r}: the weight must be 1, 2 or 3"
                )
            if not phrase.strip():
                raise LexiconError(f"{where}: keywords holds an empty phrase")
            topic["keywords"][phrase] = weight
            topic["origins"][phrase] = origin

    def build(self) -> Lexicon:
        topics = {
            topic_id: Topic(
                topic_id,
                table["name"],
                table["office"],
                MappingProxyType(dict(table["keywords"])),
                MappingProxyType(dict(table["origins"])),
            )
            for topic_id, table in self.topics.items()
        }
        return Lexicon(
            offices=MappingProxyType(dict(self.offices)),
            topics=MappingProxyType(topics),
            lists=MappingProxyType({name: tuple(items) for name, items in self.lists.items()}),
            abbreviations=MappingProxyType(dict(self.abbreviations)),
            abbreviation_origin=self.abbreviation_origin,
        )


def _lexicon_files(folder: Path) -> Iterator[tuple[str, Path]]:
    directory = folder / LEXICON_DIR
    if directory.is_dir():
        for file in sorted(directory.glob("*.toml")):
            yield file.stem, file


def _read_folder(builder: _Builder, folder: Path, *, bundled: bool) -> None:
    topics = folder / TOPICS_FILE
    if topics.is_file():
        builder.add_topics(_document(topics), str(topics), bundled)
    elif bundled:
        raise LexiconError(f"{topics}: no such file")
    seen: set[str] = set()
    for name, file in _lexicon_files(folder):
        seen.add(name)
        if name == ABBREVIATIONS_FILE and bundled:
            builder.add_abbreviations(_document(file), str(file))
        elif name in BUNDLED_ONLY and not bundled:
            raise LexiconError(
                f"{file}: {name} cannot be changed by a deployment (normalisation, retrieval "
                "and the log redaction share them); propose the change to the bundled file"
            )
        elif name in SCHEMA:
            builder.add_lexicon(name, _document(file), str(file), bundled)
        else:
            expected = ", ".join(sorted([*SCHEMA, ABBREVIATIONS_FILE]))
            raise LexiconError(f"{file}: unknown lexicon file; expected one of {expected}")
    if bundled:
        missing = sorted({*SCHEMA, ABBREVIATIONS_FILE} - seen)
        if missing:
            raise LexiconError(f"{folder / LEXICON_DIR}: missing {', '.join(missing)}")


def _deployment_folders(folders: Sequence[Path]) -> list[Path]:
    found = []
    for folder in map(Path, folders):
        if not folder.exists():
            raise LexiconError(f"{folder}: no such file or directory")
        if folder.is_dir() and folder.resolve() != DATA_DIR.resolve():
            found.append(folder)
    return found


def _load(folders: Sequence[Path]) -> Lexicon:
    builder = _Builder()
    _read_folder(builder, DATA_DIR, bundled=True)
    for folder in folders:
        _read_folder(builder, folder, bundled=False)
    return builder.build()


@functools.cache
def bundled_lexicon() -> Lexicon:
    """The bundled lexicon, read once per process."""
    return _load(())


def load_lexicon(folders: Sequence[Path] = ()) -> Lexicon:
    """The bundled lexicon, extended by each deployment folder in turn.

    Paths that are files (a single knowledge-base file in `knowledge_dirs`) and the bundled
    data folder itself are skipped; a path that does not exist is an error. Without a
    deployment folder, this is `bundled_lexicon()`."""
    deployment = _deployment_folders(folders)
    return _load(deployment) if deployment else bundled_lexicon()
