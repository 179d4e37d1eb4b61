"""Derive seeds/reference/known_actors.tsv, actor_aliases.tsv and agents.tsv from PETRARCH2's Phoenix dictionaries."""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tasks.nlp.actors import normalize_name as normalize_uncached

LOGGER = logging.getLogger(__name__)


def words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The lookup's own key (so the tables and tasks.nlp.actors agree), cached: the build asks for most names often.
normalize_name = functools.cache(normalize_uncached)


PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = PROJECT_ROOT.parent / "shared" / "data" / "petrarch2-dictionaries"
REFERENCE_DIR = PROJECT_ROOT / "seeds" / "reference"
HAND_ALIASES_FILE = REFERENCE_DIR / "entity_aliases.tsv"
COMMAND = "uv run python -m seeds.build_known_actors"

# Read in this order: an alias two files share goes to the first file's actor when nothing else decides.
ACTOR_FILES = ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt", "Phoenix.MilNonState.actors.txt")
AGENT_FILE = "Phoenix.agents.txt"
LICENSE_FILE = "LICENSE"
OUTPUT_FILES = ("known_actors.tsv", "actor_aliases.tsv", "agents.tsv", "PETRARCH2-LICENSE.txt")

# Typos in the source's dates, corrected to what their records mean (the office dates are public record):
# Armenia's sovereignty 1990-08-23, Cameron PM from 2010-05-11, the Iraq occupation from 2003-03-20, South
# Sudan's autonomy from 2005-07-09, Ban Ki-moon foreign minister from 2004-01-17, Ganzouri's second term
# from 2011-12-07 (the source's 20121207 would end before it starts).
DATE_FIXES = {
    "9008223": "900823",
    "201005011": "20100511",
    "1920030320": "20030320",
    "1920050709": "20050709",
    "2004017": "20040117",
    "20121207-20120802": "20111207-20120802",
}
DATE_FIX_RE = re.compile("|".join(rf"\b{re.escape(typo)}\b" for typo in sorted(DATE_FIXES, key=len, reverse=True)))
# KEDS, TABARI and PETRARCH read YYMMDD years 00-30 as 20YY: the files agree (their six-digit years run 00-14
# and 31-99, and every date before 1931 is written with eight digits).
TWO_DIGIT_YEAR_PIVOT = 30
NULL_CODE = "---"
# Sector codes that stand alone without a country (a bare [IGO] or [MNC] is no country record).
SECTOR_CODES = frozenset({"ELI", "IGO", "IMG", "MED", "MNC", "NGO", "MOS", "BAH", "WEU"})
KOREAN_CODES = ("KOR", "PRK")
# A code's first three letters that make its kind whatever follows (IGOUNO, NGOHRI, MNCUSA).
SECTOR_KINDS = {"IGO": "igo", "NGO": "ngo", "MNC": "company", "MED": "media", "IMG": "armed_group"}
# The role after a country code (RUSGOV, SYRREB) -> the kind of actor it makes.
ROLE_KINDS = {
    "GOV": "government", "LEG": "government", "JUD": "government", "MIL": "military", "COP": "military",
    "SPY": "military", "REB": "armed_group", "INS": "armed_group", "UAF": "armed_group", "OPP": "opposition",
    "PTY": "party", "MED": "media", "BUS": "company", "EDU": "education", "NGO": "ngo", "IGO": "igo",
}  # fmt: skip

BRACKET_RE = re.compile(r"\[([^\[\]]*)\]")
RESTRICTION_RE = re.compile(r"^(?:([<>])\s*(\d+)|(\d+)\s*-\s*(\d+)|(\d+))$")
CODE_RE = re.compile(r"^[A-Z0-9]+$")
# Letters of any script, digits and the punctuation names really contain; anything else ("UNOG: NGO DATABASE",
# "$1,000,000", control characters, U+FFFD from a broken encoding) is no name a news text would carry.
PHRASE_RE = re.compile(r"^[^\W_][\w.'&/,!?*\- ]*$")
PARENTHETICAL_RE = re.compile(r"\([^()]*\)")
NICKNAME_RE = re.compile(r'"[^"]*"')
WORD_BREAK_RE = re.compile(r"[\s_]+")  # both join the words of a phrase (dictionaries.rst)
SYNONYM_BREAK_RE = re.compile(r"\s\+")
NAME_PART_BREAK_RE = re.compile(r"[ \-]")
INITIALISM_RE = re.compile(r"(?:[A-Z]\.){2,}")
VOWELS = frozenset("AEIOUY")

# Words that make a phrase an organisation's name, never a person's.
ORG_WORDS = words_of(
    """ACADEMY AGENCY ALLIANCE ARMY ASSEMBLY ASSOCIATION AUTHORITY BANK BATTALION BOARD BRIGADE BRIGADES BUREAU
    CENTER CENTRE CHURCH CLUB COALITION COLLEGE COMMAND COMMISSION COMMITTEE COMMUNITY COMPANY CONFERENCE
    CONFEDERATION CONGRESS CORP CORPORATION COUNCIL COURT DEPARTMENT DIRECTORATE DIVISION FACTION FEDERATION
    FORCE FORCES FOUNDATION FRONT FUND GROUP GUARD INC INC. INSTITUTE INTERNATIONAL LEAGUE LIMITED LTD MINISTRY
    MISSION MOVEMENT NETWORK OFFICE ORGANISATION ORGANIZATION PARLIAMENT PARTY PROGRAM PROGRAMME PROJECT REPUBLIC
    SERVICE SERVICES SOCIETY SYSTEMS TRUST UNION UNIVERSITY ADMINISTRATION REPUBLICA PARISHAD TANK DECLARATION
    JAISH JAYSH JAYSH-E JAISH-E LIWA KATAIB KATAEB JABHAT HARAKAT HIZB HIZBUL JAMAAT JAMAAH JEMAAH TANZIM TANZEEM
    ANSAR SAYYAF MUJAHIDEEN MUJAHIDIN LASHKAR LASHKAR-E TEHRIK TEHREEK SIPAH SARAYA SARAYAT QA'IDA QAEDA QAIDA"""
)
# Office words a person's primary phrase may start with ("GENERAL_LORD_ISMAY", "SHEIKH_JABER_..."): skipped when
# looking for the given name.
TITLE_WORDS = words_of(
    """PRESIDENT PRIME MINISTER GENERAL SECRETARY SECRETARY-GENERAL SHEIKH SHAIKH KING QUEEN PRINCE PRINCESS SIR
    LORD LADY BARON BARONESS DR DR. MR MR. MRS MRS. MS MS. COLONEL COL. CAPTAIN EMIR AMIR SULTAN AYATOLLAH IMAM
    MULLAH DATUK DATO TUN JONKHEER ACHARYA"""
)
# Words kept in lower case inside a name ("Osama bin Laden", "Bosnia and Herzegovina", "Javier de Cuellar").
LOWER_WORDS = words_of(
    """a an and at aux by de da das del della der des di do dos du e en et for from in into la las le les los of on
    or the to und van von y zu bin bint ibn al el ul"""
)
# Arabic article prefixes written lower case inside a name ("Abu Bakr al-Baghdadi").
LOWER_PREFIXES = ("al-", "el-", "ad-", "ar-", "as-", "ash-", "at-", "az-", "an-", "ul-")
ROMAN_NUMERALS = frozenset({"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII"})

# Single-word aliases that are also everyday lower-case English ("us", "chad", "turkey", "china", "pole"): they
# name an actor only when written with a capital ("Turkey"), which the loader enforces. Chosen by reading all
# 4,456 single-word aliases of the source; names that are only names (Putin, Hamas) are not listed.
COMMON_WORDS = words_of(
    """alias avengers bale bermudas boogeymen buffalo burgundy chablis chad champagne chile china cologne contras
    cork cornerstone dane eta falcon fez finn foundation gent guardian guernsey guinea hippo holland inevitables
    japan jersey kiwi lightning lima male manx marches mavericks moron natal naze olive organization pampas panama
    pentagon phoenix pole polish providence riviera saga savoy scot senate soviet swede tigers turk turkey tyre un
    us wales waterloo youth zero"""
)


@dataclass(frozen=True)
class CodeRange:
    code: str
    first: date | None
    last: date | None


@dataclass
class Record:
    """One entry of an actor dictionary: its phrases (primary first) and its code restrictions."""

    source: str
    line_no: int
    note: str
    phrases: list[str]
    ranges: list[CodeRange] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    follows_previous: bool = False  # no blank or comment line between this record and the one before

    @property
    def has_codes(self) -> bool:
        return bool(self.ranges or self.defaults)


@dataclass
class ActorRow:
    actor_id: str
    canonical: str
    label: str
    kind: str
    ranges: list[CodeRange]
    default_code: str | None
    aliases: list[str]
    source: str
    order: int
    note: str = ""


@dataclass(frozen=True)
class AgentRow:
    noun: str
    code: str
    position: str


# -- reading the dictionaries -------------------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """YYYYMMDD or YYMMDD (see TWO_DIGIT_YEAR_PIVOT); None for anything else."""
    try:
        if len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if len(text) == 6:
            year = int(text[:2])
            year += 2000 if year <= TWO_DIGIT_YEAR_PIVOT else 1900
            return date(year, int(text[2:4]), int(text[4:6]))
    except ValueError:
        return None
    return None


def parse_restriction(text: str, where: str) -> CodeRange | str | None:
    """A bracket's content: a CodeRange, a default code (str), or None for the null code or an unreadable one."""
    code, _, rest = text.strip().partition(" ")
    rest = DATE_FIX_RE.sub(lambda m: DATE_FIXES[m.group(0)], rest.strip())
    if code == NULL_CODE or not code:
        return None
    if not CODE_RE.match(code):
        LOGGER.warning("%s: unreadable code %r skipped", where, text)
        return None
    if not rest or not any(ch.isdigit() for ch in rest) or len(rest) < 6:
        # "[NGOCHRPRO 214]": a number that is no date; the code stands as a default.
        return code
    match = RESTRICTION_RE.match(rest.replace(" ", ""))
    if match is None:
        LOGGER.warning("%s: unreadable restriction %r skipped", where, text)
        return None
    before_or_after, one, start, end, bare = match.groups()
    dates = [parse_date(d) for d in (one, start, end, bare) if d is not None]
    if any(d is None for d in dates):
        LOGGER.warning("%s: unreadable date in %r skipped", where, text)
        return None
    if before_or_after == "<":
        return CodeRange(code, None, dates[0])
    if before_or_after == ">" or bare is not None:
        # A bare date ("[USAGOV 19820101] # entered Foreign Service") marks when the code starts.
        return CodeRange(code, dates[0], None)
    first, last = dates
    if first is not None and last is not None and first > last:
        LOGGER.warning("%s: range %r ends before it starts, skipped", where, text)
        return None
    return CodeRange(code, first, last)


def clean_phrase(text: str) -> str | None:
    """Source phrase -> words in upper case joined by single spaces, or None when it is no usable name."""
    text = PARENTHETICAL_RE.sub(" ", text)  # "AMERICA_(UNITED_STATES)_": the gloss is no part of the name
    text = text.split("(", 1)[0]  # "STANKO_TODOROV (ACTING_": a gloss left open
    text = NICKNAME_RE.sub(" ", text).replace("`", "")  # TZIPORA_"TZIPI"_LIVNI, SHEIKH `ISA_IBN_SULMAN
    words = [w.strip("'") for w in WORD_BREAK_RE.split(text) if w.strip("'")]  # 'OMAN: an ayn, no quote
    if not words:
        return None
    phrase = " ".join(words).strip(" ,")
    if not phrase or not PHRASE_RE.match(phrase) or ", THEN " in phrase or phrase.isdigit():
        return None
    return phrase.upper()


def split_comment(raw: str) -> tuple[str, str]:
    """(content, comment) of a line: '#' or ';' starts a comment (dictionaries.rst)."""
    match = re.search(r"[#;]", raw)
    if match is None:
        return raw.strip(), ""
    return raw[: match.start()].strip(), raw[match.end() :].strip()


def read_actor_records(path: Path) -> Iterator[Record]:
    """Records as PETRARCH reads them: a primary phrase line, '+' synonym lines, '[code restriction]' lines."""
    current: Record | None = None
    follows = False
    with path.open(encoding="utf-8") as handle:
        for line_no, raw in enumerate(handle, 1):
            body, note = split_comment(raw)
            if not body:
                follows = False  # a blank or comment line ends a run of records
                continue
            where = f"{path.name}:{line_no}"
            cut = body.find("[")
            text = body if cut < 0 else body[:cut]
            restrictions = [parse_restriction(b, where) for b in BRACKET_RE.findall(body)]
            if body.startswith("+") and current is not None:
                for synonym in SYNONYM_BREAK_RE.split(text[1:]):  # "+TAIOAN_ +TAWIAN_" on one line
                    phrase = clean_phrase(synonym)
                    if phrase is not None:
                        current.phrases.append(phrase)
            elif not body.startswith(("[", "+")):
                if current is not None:
                    yield current
                phrase = clean_phrase(text)
                current = Record(path.name, line_no, note, [phrase] if phrase else [], follows_previous=follows)
            if current is not None:
                for restriction in restrictions:
                    if isinstance(restriction, CodeRange):
                        current.ranges.append(restriction)
                    elif restriction is not None:
                        current.defaults.append(restriction)
            follows = True
    if current is not None:
        yield current


def join_unmarked_synonyms(records: list[Record]) -> list[Record]:
    """Lines that lost their '+' ("BORIS_YELTSIN_" then "YELTSIN", "PRESIDENT_YELTSIN", then the codes) read as
    code-less records of their own. A run of code-less records directly before a coded one joins it when they
    share the last name part (the same person or body written another way); the others in the run get a copy of
    its codes (distinct groups listed under one code, as Syria's rebel brigades are)."""
    result: list[Record] = []
    pending: list[Record] = []
    for record in records:
        if not record.phrases:
            continue
        if pending and not record.follows_previous:
            result.extend(pending)
            pending = []
        if not record.has_codes:
            pending.append(record)
            continue
        joined: list[str] = []
        for waiting in pending:
            if _last_part(waiting.phrases[0]) == _last_part(record.phrases[0]):
                joined.extend(waiting.phrases)
            else:
                waiting.ranges, waiting.defaults = list(record.ranges), list(record.defaults)
                result.append(waiting)
        if joined:
            first = next(w for w in pending if w.phrases[0] == joined[0])
            result.append(Record(first.source, first.line_no, first.note or record.note, joined + record.phrases,
                                 record.ranges, record.defaults))  # fmt: skip
        else:
            result.append(record)
        pending = []
    result.extend(pending)
    return result


def _last_part(phrase: str) -> str:
    return NAME_PART_BREAK_RE.split(phrase)[-1]


def merge_ranges(ranges: Iterable[CodeRange]) -> list[CodeRange]:
    """One range per stretch of a code: overlapping or back-to-back ranges of the same code join up (Putin's
    RUSGOV 990809-000507, 991231-080507 and >080508 are one stretch from 1999-08-09 on)."""
    merged: list[CodeRange] = []
    by_code: dict[str, list[CodeRange]] = {}
    for item in ranges:
        by_code.setdefault(item.code, []).append(item)
    for code, items in by_code.items():
        items.sort(key=lambda r: r.first or date.min)
        run = items[0]
        for item in items[1:]:
            reaches = run.last is None or (item.first or date.min) <= run.last + timedelta(days=1)
            if reaches:
                last = None if run.last is None or item.last is None else max(run.last, item.last)
                run = CodeRange(code, run.first, last)
            else:
                merged.append(run)
                run = item
        merged.append(run)
    return sorted(merged, key=lambda r: (r.first or date.min, r.last or date.max, r.code))


# -- kinds, labels and display names --------------------------------------------------------------------------


def is_country_record(record: Record) -> bool:
    codes = [r.code for r in record.ranges] + record.defaults
    return record.source == ACTOR_FILES[0] and any(len(c) == 3 and c not in SECTOR_CODES for c in codes)


@dataclass(frozen=True)
class Vocabulary:
    """What the kind of an actor is told by: names people of the source carry, country codes, role codes."""

    given_names: frozenset[str]
    country_codes: frozenset[str]
    role_codes: frozenset[str]


def kind_of(record: Record, vocabulary: Vocabulary) -> str:
    if is_country_record(record):
        return "country"
    codes = [r.code for r in record.ranges] + record.defaults
    if _is_person(record, codes, vocabulary):
        return "person"
    code = codes[-1] if codes else ""
    prefix, role = code[:3], code[3:6]
    if record.source == ACTOR_FILES[2] or prefix == "IMG":
        return "armed_group"
    if prefix in SECTOR_KINDS:
        return SECTOR_KINDS[prefix]
    if prefix in vocabulary.country_codes and role and role not in vocabulary.role_codes:
        return "place"  # USAPRI, DNKGRL, PSEGZA: a territory or region of a country, not a role in it
    return ROLE_KINDS.get(role, "organization") if prefix in vocabulary.country_codes else "organization"


def _is_person(record: Record, codes: list[str], vocabulary: Vocabulary) -> bool:
    """CountryInfo's and IGOrulers' people say so in a comment; the others are told by a name of two to five words
    with no organisation word in it that starts with a given name the source's people carry, or that holds an
    office for a time or is coded an elite (ELI)."""
    if "CountryInfo" in record.note or "IGOrulers" in record.note:
        return True
    words = record.phrases[0].split()
    if any(w in ORG_WORDS or w.lower() in LOWER_WORDS - {"bin", "ibn", "bint", "al", "el", "de", "van", "von"}
           for w in words) or any(ch.isdigit() for ch in record.phrases[0]):  # fmt: skip
        return False
    while len(words) > 2 and words[0] in TITLE_WORDS:
        words = words[1:]
    if not 2 <= len(words) <= 5 or words[0] in ("AL", "EL", "AL-", "THE"):
        return False
    is_dated = any(r.first is not None or r.last is not None for r in record.ranges)
    is_elite = any(c[3:6] == "ELI" or c == "ELI" for c in codes)
    if any(c.startswith(("MNC", "NGO")) for c in codes):
        # Companies and NGOs are often named after people ("Martha Stewart Living", "Porter Bancorp"): only a
        # term of office makes one of their entries a person.
        return is_dated
    return words[0] in vocabulary.given_names or is_dated or is_elite


def label_of(kind: str) -> str:
    # What spaCy's NER calls such a name: countries, capitals and provinces GPE; people PERSON; the rest ORG.
    return {"country": "GPE", "place": "GPE", "person": "PERSON"}.get(kind, "ORG")


def is_acronym(word: str, expansions: Iterable[str]) -> bool:
    """NATO, OPEC, ECOWAS, UNHCR: a word without vowels, or one that some phrase of the actor spells out."""
    letters = word.replace(".", "").replace("&", "")
    if not letters.isalpha() or len(letters) < 2:
        return False
    if sum(ch in VOWELS for ch in letters) == 0 or "." in word:
        return True
    if len(letters) <= 6 and re.search(r"[^AEIOU]{3}", letters):
        return True  # UNHCR, IFLRY: no English word that short runs three consonants together
    return any(_spells(letters, phrase.split()) for phrase in expansions if len(phrase.split()) >= 2)


def _spells(letters: str, words: list[str]) -> bool:
    """Letters taken in order from word starts (and the letters that follow them): ECOWAS from Economic
    COmmunity of West African States."""
    if not letters:
        return not words or all(w.lower() in LOWER_WORDS for w in words)
    if not words:
        return False
    word = words[0]
    if word.lower() in LOWER_WORDS and _spells(letters, words[1:]):
        return True
    for taken in range(1, min(len(word), len(letters)) + 1):
        if word[:taken] != letters[:taken]:
            break
        if _spells(letters[taken:], words[1:]):
            return True
    return False


def display_name(phrase: str, acronyms: frozenset[str], is_korean: bool = False) -> str:
    """ALL-CAPS phrase -> display case: "ABU_BAKR_AL-BAGHDADI" -> "Abu Bakr al-Baghdadi", "ROBERT_MCNAMARA" ->
    "Robert McNamara", "COTE_D'IVOIRE" -> "Cote d'Ivoire", "UN_SECRETARY_GENERAL" -> "UN Secretary General"."""
    words = phrase.split()
    out = []
    for index, word in enumerate(words):
        if word in acronyms or (index > 0 and word in ROMAN_NUMERALS) or INITIALISM_RE.fullmatch(word):
            out.append(word)
            continue
        lower = word.lower()
        if index > 0 and lower in LOWER_WORDS:
            out.append(lower)
            continue
        parts = word.split("-")
        cased = [_case_part(p, index > 0 or i > 0) for i, p in enumerate(parts)]
        if index > 0 and (lower.startswith(LOWER_PREFIXES)) and len(parts) > 1:
            cased[0] = cased[0].lower()
        if is_korean and len(parts) == 2 and index == len(words) - 1 and index > 0:
            cased[1] = cased[1].lower()  # Korean given names: Ban Ki-moon, Kim Jong-un
        out.append("-".join(cased))
    return " ".join(out)


def _case_part(part: str, is_inner: bool) -> str:
    if not part:
        return part
    if "'" in part:
        head, _, tail = part.partition("'")
        if len(head) == 1 and tail:
            # O'Kennedy, N'Diaye; d'Ivoire, l'Homme lower their article inside a name.
            head = head.lower() if is_inner and head in "DL" else head.upper()
            return f"{head}'{tail[:1].upper()}{tail[1:].lower()}"
        return f"{head[:1].upper()}{head[1:].lower()}'{tail.lower()}"  # People's, Ba'ath
    if part.startswith("MC") and len(part) > 3:
        return "Mc" + part[2].upper() + part[3:].lower()
    return part[:1].upper() + part[1:].lower()


# -- hand-written aliases --------------------------------------------------------------------------------------


def read_hand_aliases(path: Path) -> dict[str, tuple[str, str]]:
    """normalised alias or canonical name -> (canonical, label), from seeds/reference/entity_aliases.tsv."""
    names: dict[str, tuple[str, str]] = {}
    if not path.is_file():
        return names
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            if len(row) >= 3:
                canonical, label = row[1].strip(), row[2].strip()
                names.setdefault(normalize_name(canonical), (canonical, label))
                names.setdefault(normalize_name(row[0]), (canonical, label))
    return names


# -- building the tables ---------------------------------------------------------------------------------------


def build_actors(source: Path, hand: dict[str, tuple[str, str]], role_codes: frozenset[str]) -> list[ActorRow]:
    records: list[Record] = []
    for name in ACTOR_FILES:
        records.extend(join_unmarked_synonyms(list(read_actor_records(source / name))))
    # The same primary phrase in several records (the NGO list appears twice, people are listed under their IGO
    # and again under their country) is one actor.
    merged: dict[str, Record] = {}
    for record in records:
        actor_id = record.phrases[0].replace(" ", "_")
        known = merged.get(actor_id)
        if known is None:
            merged[actor_id] = Record(record.source, record.line_no, record.note, list(record.phrases),
                                      list(record.ranges), list(record.defaults))  # fmt: skip
            continue
        known.note = " ".join(filter(None, (known.note, record.note)))
        known.phrases.extend(p for p in record.phrases if p not in known.phrases)
        known.ranges.extend(record.ranges)
        known.defaults.extend(record.defaults)
    country_codes = (
        frozenset(
            code[:3]
            for r in merged.values()
            if is_country_record(r)
            for code in [x.code for x in r.ranges] + r.defaults
        )
        - SECTOR_CODES
    )
    given_names = (
        frozenset(
            next((w for w in r.phrases[0].split() if w not in TITLE_WORDS), "")
            for r in merged.values()
            if "CountryInfo" in r.note or "IGOrulers" in r.note
        )
        - {"", "AL", "EL", "THE"}
        - ORG_WORDS
    )
    vocabulary = Vocabulary(given_names, country_codes, role_codes | ROLE_KINDS.keys() | {"ELI"})
    actors = []
    for order, (actor_id, record) in enumerate(merged.items()):
        kind = kind_of(record, vocabulary)
        default = record.defaults[0] if record.defaults else None
        actors.append(ActorRow(actor_id, "", label_of(kind), kind, merge_ranges(record.ranges), default,
                               record.phrases, record.source, order, record.note))  # fmt: skip
    _mark_places(actors)
    acronyms = _acronyms(actors, hand)
    for actor in actors:
        actor.canonical = canonical_name(actor, acronyms)
        hand_name = _hand_name(actor, hand)
        if hand_name is not None:
            actor.canonical, actor.label = hand_name
    return sorted(actors, key=lambda a: a.actor_id)


def canonical_name(actor: ActorRow, acronyms: frozenset[str]) -> str:
    words = actor.actor_id.split("_")
    if actor.kind == "person":
        while len(words) > 2 and words[0] in TITLE_WORDS:
            words = words[1:]  # "SECRETARY-GENERAL_BAN_KI-MOON" -> Ban Ki-moon
    elif words[0] == "THE" and len(words) > 1:
        words = words[1:]
    codes = [r.code for r in actor.ranges] + ([actor.default_code] if actor.default_code else [])
    is_korean = actor.kind == "person" and any(c.startswith(KOREAN_CODES) for c in codes)
    return display_name(" ".join(words), acronyms, is_korean)


def _hand_name(actor: ActorRow, hand: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The hand table's (canonical, label) for an actor: by its primary phrase, else by one of its names when the
    hand table gives the same label ("Ivory Coast" -> Côte d'Ivoire), so stored entity names stay stable."""
    found = hand.get(normalize_name(actor.actor_id))
    if found is not None:
        return found
    for alias in actor.aliases:
        found = hand.get(normalize_name(alias))
        if found is not None and found[1] == actor.label:
            return found
    return None


def _mark_places(actors: list[ActorRow]) -> None:
    """Of the country records sharing a current code (FRANCE, MAYOTTE and SAINT_BARTHELEMY are all FRA), the one
    with most names is the country; the others are places in it."""
    best: dict[str, ActorRow] = {}
    for actor in actors:
        if actor.kind != "country":
            continue
        code = _current_code(actor)
        if code not in best or len(actor.aliases) > len(best[code].aliases):
            best[code] = actor
    for actor in actors:
        if actor.kind == "country" and best.get(_current_code(actor)) is not actor:
            actor.kind = "place"


def _current_code(actor: ActorRow) -> str:
    open_ranges = [r for r in actor.ranges if r.last is None]
    if open_ranges:
        return open_ranges[-1].code
    return actor.default_code or (actor.ranges[-1].code if actor.ranges else "")


def _acronyms(actors: list[ActorRow], hand: dict[str, tuple[str, str]]) -> frozenset[str]:
    """Words that stay in capitals wherever they occur: acronyms that are an organisation's primary phrase, and
    the hand table's capitalised aliases (US, UN, EU)."""
    found = {word for name in hand.values() for word in name[0].split() if word.isupper() and len(word) > 1}
    for actor in actors:
        words = actor.actor_id.split("_")
        expansions = [*actor.aliases, *(p.strip().upper() for p in re.split(r"[()#;,]", actor.note))]
        if actor.kind not in ("person", "country", "place") and len(words) == 1 and is_acronym(words[0], expansions):
            found.add(words[0])  # ECOWAS_ "# Economic Community of West African States"
        for word in words:
            letters = word.replace(".", "")
            if 2 <= len(letters) <= 5 and letters.isalpha() and not set(letters) & VOWELS:
                found.add(word)  # CNN, BBC, NGO
            elif "&" in word and len(word) <= 5:
                found.add(word)  # AT&T, SS&C
    return frozenset(found)


def build_aliases(actors: list[ActorRow]) -> list[tuple[str, str, bool, bool]]:
    """(alias, actor_id, is_ambiguous, is_common_word) rows; an ambiguous alias has one row per actor it names."""
    claims: dict[str, list[ActorRow]] = {}
    for actor in actors:
        for name in [*actor.aliases, actor.canonical]:
            alias = normalize_name(name)
            if len(alias.replace(".", "")) < 2:
                continue  # "A", "U.": no name
            owners = claims.setdefault(alias, [])
            if actor not in owners:
                owners.append(actor)
    rows: list[tuple[str, str, bool, bool]] = []
    for alias, owners in claims.items():
        is_common = " " not in alias and alias in COMMON_WORDS
        winners = _resolve(alias, owners)
        for owner in winners:
            rows.append((alias, owner.actor_id, len(winners) > 1, is_common))
    return sorted(rows)


def _resolve(alias: str, owners: list[ActorRow]) -> list[ActorRow]:
    """The actor of an alias several actors have, or all of them when nothing tells them apart: the actor whose
    primary phrase it is, else whose display name it is; else actors coded identically count as one (the
    source lists the same body twice)."""
    if len(owners) == 1:
        return owners
    for names in ([o.actor_id for o in owners], [o.canonical for o in owners]):
        named = [owner for owner, name in zip(owners, names, strict=True) if normalize_name(name) == alias]
        if len(named) == 1:
            return named
    codings = {(tuple(o.ranges), o.default_code) for o in owners}
    if len(codings) == 1:
        return [min(owners, key=lambda o: o.order)]
    return owners


def read_agents(path: Path) -> list[AgentRow]:
    """Agent nouns with their generated plurals; a noun listed twice keeps its first code."""
    markers: dict[str, list[str]] = {}
    rows: dict[str, AgentRow] = {}
    conflicts = 0
    with path.open(encoding="utf-8") as handle:
        for line_no, raw in enumerate(handle, 1):
            line = re.split(r"[#;]", raw, maxsplit=1)[0].strip()
            if not line:
                continue
            marker = re.match(r"^!(\w+)!\s*=\s*(.+)$", line)
            if marker:
                markers[marker.group(1)] = [w.strip() for w in marker.group(2).split(",") if w.strip()]
                continue
            match = re.match(r"^([^\[{]+?)\s*(?:\{([^}]*)\})?\s*\[\s*([^\]}]+?)\s*[\]}]", line)
            if match is None:
                LOGGER.warning("%s:%d: agent without a code skipped: %r", path.name, line_no, line)
                continue
            phrase, plural, code = match.groups()
            if not re.fullmatch(r"~[A-Z0-9]+|[A-Z0-9]+~", code):
                LOGGER.warning("%s:%d: unreadable agent code %r skipped", path.name, line_no, code)
                continue
            agent_code, position = (code[1:], "suffix") if code.startswith("~") else (code[:-1], "prefix")
            for noun in _agent_forms(phrase, plural, markers):
                key = normalize_name(noun)
                if not key or not PHRASE_RE.match(key):
                    continue
                known = rows.get(key)
                if known is None:
                    rows[key] = AgentRow(key, agent_code, position)
                elif (known.code, known.position) != (agent_code, position):
                    conflicts += 1
    LOGGER.info("agents: %d nouns, %d later duplicates with another code ignored", len(rows), conflicts)
    return sorted(rows.values(), key=lambda a: a.noun)


def _agent_forms(phrase: str, plural: str | None, markers: dict[str, list[str]]) -> list[str]:
    """The phrase and its plural: explicit in {...} (empty = none), else the regular one; a !MARKER! stands for
    each form it lists, with no further plural."""
    # "AD!MINIST!RATION": the source's marker substitution ran into "ADMINISTRATION" itself.
    phrase = phrase.replace("AD!MINIST!RAT", "ADMINISTRAT")
    marker = re.search(r"!(\w+)!", phrase)
    if marker is not None:
        return [phrase.replace(marker.group(0), form) for form in markers.get(marker.group(1), [])]
    if plural is not None:
        return [phrase, plural.strip()] if plural.strip() else [phrase]
    return [phrase, *regular_plural(phrase)]


def regular_plural(phrase: str) -> list[str]:
    """dictionaries.rst's rule (+S, Y -> IES, SS -> ES) with English's own exceptions: a vowel before the Y keeps
    it (ATTORNEYS), X/Z/CH/SH take ES, and a word already ending in a single S is taken as plural already."""
    phrase = phrase.strip().rstrip("_")
    last = WORD_BREAK_RE.split(phrase)[-1]
    if not last or not last[-1].isalpha() or last.lower() in LOWER_WORDS:
        return []  # "OBSERVERS_IN": no noun at the end to make plural
    if last.endswith("SS") or last.endswith(("X", "Z", "CH", "SH")):
        return [phrase + "ES"]
    if last.endswith("S"):
        return []
    if last.endswith("Y") and len(last) > 1 and last[-2] not in "AEIOU":
        return [phrase[:-1] + "IES"]
    return [phrase + "S"]


# -- writing ----------------------------------------------------------------------------------------------------


def provenance(source: Path, files: Iterable[str]) -> list[str]:
    lines = [f"#   {name} sha256 {hashlib.sha256((source / name).read_bytes()).hexdigest()}" for name in files]
    return [
        "# Derived from PETRARCH2's Phoenix dictionaries (github.com/openeventdata/petrarch2):",
        *lines,
        "# Licence: MIT, Copyright (c) 2014 Open Event Data; full text in PETRARCH2-LICENSE.txt beside this file.",
        f"# Regenerated by `{COMMAND}` (seeds/build_known_actors.py); edit that script, not this file.",
    ]


def format_ranges(ranges: Iterable[CodeRange]) -> str:
    return ";".join(
        f"{r.code}:{r.first.isoformat() if r.first else ''}:{r.last.isoformat() if r.last else ''}" for r in ranges
    )


def render(source: Path, hand_aliases: Path = HAND_ALIASES_FILE) -> dict[str, str]:
    """File name -> content of every generated file."""
    hand = read_hand_aliases(hand_aliases)
    agents = read_agents(source / AGENT_FILE)
    actors = build_actors(source, hand, frozenset(a.code[:3] for a in agents))
    aliases = build_aliases(actors)
    actor_notes = [
        "# One row per actor. codes: CODE:first:last;... as ISO dates, both days inclusive, an empty side open; source",
        f"# dates YYMMDD read 00-{TWO_DIGIT_YEAR_PIVOT} as 20YY. default_code applies outside every range. Canonical",
        "# names from entity_aliases.tsv win where they name the same actor.",
    ]
    alias_notes = [
        "# alias: lower case, words joined by single spaces, possessive, leading 'the' and outer punctuation off",
        "# (tasks.nlp.actors.normalize_name). is_ambiguous=1: the alias names several actors (one row each), so",
        "# a lookup by it finds none. is_common_word=1: an everyday English word, matched only when capitalised.",
    ]
    agent_notes = [
        "# noun: lower case, singular and generated plural forms. position: suffix = the code follows the",
        "# actor's country code (~COP: RUS + COP), prefix = it precedes it (NGO~).",
    ]
    files = {
        "known_actors.tsv": _tsv(
            provenance(source, ACTOR_FILES) + actor_notes,
            ("actor_id", "canonical", "label", "kind", "codes", "default_code"),
            ((a.actor_id, a.canonical, a.label, a.kind, format_ranges(a.ranges), a.default_code or "") for a in actors),
        ),
        "actor_aliases.tsv": _tsv(
            provenance(source, ACTOR_FILES) + alias_notes,
            ("alias", "actor_id", "is_ambiguous", "is_common_word"),
            ((alias, actor_id, str(int(amb)), str(int(common))) for alias, actor_id, amb, common in aliases),
        ),
        "agents.tsv": _tsv(
            provenance(source, (AGENT_FILE,)) + agent_notes,
            ("noun", "code", "position"),
            ((a.noun, a.code, a.position) for a in agents),
        ),
        "PETRARCH2-LICENSE.txt": (source / LICENSE_FILE).read_text(encoding="utf-8"),
    }
    return files


def _tsv(comments: list[str], header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> str:
    lines = [*comments, "\t".join(header)]
    for row in rows:
        if any("\t" in cell or "\n" in cell for cell in row):
            raise ValueError(f"tab or newline in a cell: {row!r}")
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"


def write(files: dict[str, str], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out_dir / name).write_text(content, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the petrarch2-dictionaries folder")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR, help="where the tables go")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if not (args.source / ACTOR_FILES[0]).is_file():
        LOGGER.error("no PETRARCH2 dictionaries in %s", args.source)
        return 1
    files = render(args.source)
    write(files, args.out)
    for name, content in files.items():
        LOGGER.info("%s: %d bytes", name, len(content.encode()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
