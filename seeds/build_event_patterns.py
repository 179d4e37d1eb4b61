"""Build seeds/reference/cameo_verb_patterns.json and cameo_codes.tsv from the PETRARCH2 and PLOVER sources."""

from __future__ import annotations

import argparse
import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REFERENCE_DIR = HERE / "reference"
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "data"
VERB_FILE = Path("petrarch2-dictionaries") / "CAMEO.verbpatterns.150430.txt"
PLOVER_FILE = Path("events-dev") / "CAMEO2PLOVER-2021.txt"
GOLDSTEIN_FILE = Path("events-dev") / "CAMEO-goldstein.csv"
PATTERNS_OUT = "cameo_verb_patterns.json"
CODES_OUT = "cameo_codes.tsv"

# The events-dev gold and newsflow's store use the 18 PLOVER labels of the gold standard records (PLOVER 0.5-0.7);
# the 2021 table renames four of them, folds FIGHT into ASSAULT and moves blockade and occupation (191, 192) to
# COERCE. Map the 2021 names back (all of root 19 is FIGHT in the gold-standard records' scheme).
RENAMED = {"REQUEST": "DEMAND"}
# Codes whose 2021 category differs from the one the gold-standard records (and the PLOVER category names) use:
# impose embargo/sanctions is the SANCTION category's own act; destroying property is coded COERCE there.
OVERRIDES = {"163": "SANCTION", "1712": "COERCE"}
# Roots the 2021 table leaves out: 01 statements are no PLOVER event; 02 appeals fall under PLOVER's DEMAND
# (REQUEST), which PLOVER defines as appeals and demands alike.
ROOTS_WITHOUT_ROW = {"01": "", "02": "DEMAND"}
# Verbs the 2015 dictionary codes by their block where the CAMEO codebook has a code of their own: a lawsuit is
# 115 ("bring lawsuit against"), not the block's 173 (arrest); funding is 071 ("provide economic aid: grants,
# gifts and credit"), not 061 (economic exchange, which investing is); "embrace" a policy is 051 (praise or
# endorse), where the block codes only its patterns; a rally is 141 ("demonstrate or rally"), not the block's 150
# (a show of military or police force); "reject", "refuse" by themselves are 120 ("reject, not specified below"),
# where the block leaves them uncoded outside its patterns; beating someone is 182 ("physically assault"), not
# the block's 190 (conventional military force); agreeing is 030 ("express intent to cooperate", PLOVER's
# AGREE), not the block's 050 (diplomatic cooperation, SUPPORT).
VERB_CODES = {
    "sue": "115", "fund": "071", "finance": "071", "bankroll": "071", "underwrite": "071", "embrace": "051",
    "rally": "141", "reject": "120", "refuse": "120", "beat": "182", "agree": "030",
}  # fmt: skip
# The same correction for a block's own code and its patterns' ("sue + in $ court" is a lawsuit, 115).
BLOCK_CODES = {"SUE": {"173": "115"}}
CODE_RE = re.compile(r"\[([^\]]*)\]")
SYNSET_RE = re.compile(r"^&[A-Z0-9_]+$")


@dataclass
class Block:
    name: str
    code: str | None
    verbs: list[list[Any]] = field(default_factory=list)
    patterns: list[list[Any]] = field(default_factory=list)


@dataclass
class Dictionary:
    synsets: dict[str, list[str]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    skipped_patterns: int = 0
    skipped_verbs: int = 0


def quad_class(code: str) -> int:
    """QuadClass from the CAMEO root: verbal/material cooperation, verbal/material conflict."""
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


def read_goldstein(path: Path) -> dict[str, tuple[str, float]]:
    with path.open(encoding="utf-8") as handle:
        return {row["cameo_code"]: (row["name"], float(row["goldstein"])) for row in csv.DictReader(handle)}


def read_plover(path: Path) -> dict[str, tuple[str, str]]:
    """CAMEO code -> (PLOVER 2021 category, mode) from the conversion table's 'code: EVENT, mode, context' rows."""
    table: dict[str, tuple[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        body = line.split("#", 1)[0].strip()
        if ":" not in body:
            continue
        code, _, rest = body.partition(":")
        parts = [p.strip() for p in rest.split(",")]
        if code.strip().isdigit() and parts[0]:
            table.setdefault(code.strip(), (parts[0], parts[1] if len(parts) > 1 else ""))
    return table


def event_type(code: str, plover: dict[str, tuple[str, str]]) -> str:
    """The PLOVER label (gold-standard names) of a CAMEO code; '' for codes that are no PLOVER event."""
    if code in OVERRIDES:
        return OVERRIDES[code]
    if code[:2] in ROOTS_WITHOUT_ROW:
        return ROOTS_WITHOUT_ROW[code[:2]]
    category, mode = plover.get(code) or plover.get(code[:3]) or plover.get(code[:2]) or ("", "")
    if category == "ACCUSE":
        return "INVESTIGATE" if code.startswith("09") or mode == "investigate" else "DISAPPROVE"
    if code.startswith("19"):
        return "FIGHT"  # the gold-standard records' FIGHT is all of CAMEO 19, blockade and occupation included
    return RENAMED.get(category, category)


def normalise_code(raw: str, known: set[str]) -> str | None:
    """'040:040' -> '040' (the second code is the target's side of a symmetric event); '---' -> None; a code
    missing from the CAMEO table falls back to its longest known prefix ('0732' -> '073')."""
    code = raw.split(":", 1)[0].strip().rstrip("!")
    if not code or code == "---" or not code.isdigit():
        return None
    while code and code not in known:
        code = code[:-1]
    return code if len(code) >= 2 else None


def plural(phrase: str) -> str:
    """PETRARCH's regular plural of a synset phrase's last word."""
    if phrase.endswith("y"):
        return phrase[:-1] + "ies"
    if phrase.endswith("s"):
        return phrase + "es"
    return phrase + "s"


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].split(";", 1)[0].rstrip()


def _pattern_phrase(text: str, synsets: dict[str, list[str]]) -> str | None:
    """A pattern half in lower case with its connectors (' ' = words may intervene, '_' = consecutive); None when it
    names an undefined synset (PETRARCH skips such patterns)."""
    words = re.split(r"([ _])", text.strip())
    out: list[str] = []
    for index, word in enumerate(words):
        if index % 2:
            out.append(word)
        elif SYNSET_RE.match(word):
            if not synsets.get(word[1:]):
                return None
            out.append(word)
        else:
            out.append(word.lower())
    return re.sub(r" +", " ", "".join(out)).strip()


def _read_pattern(line: str, dictionary: Dictionary, known: set[str]) -> list[Any] | None:
    codes = CODE_RE.findall(line)
    if "{" in line or not codes or "*" not in line:
        return None  # TABARI disjunctions and uncoded patterns are skipped, as PETRARCH does
    body = line[1 : line.index("[")].replace("_ ", " ")
    upper_text, _, lower_text = body.partition("*")
    upper = _pattern_phrase(upper_text.strip().rstrip("_"), dictionary.synsets)
    lower = _pattern_phrase(lower_text.strip().lstrip("_"), dictionary.synsets)
    if upper is None or lower is None:
        return None
    # Keep the connector that ties a half to the verb itself ("IS_TO_*", "*_SAVE").
    if upper_text.rstrip().endswith("_") and upper:
        upper += "_"
    if lower_text.startswith("_") and lower:
        lower = "_" + lower
    return [upper, lower, normalise_code(codes[-1], known)]


def _read_verb(line: str, block: Block, known: set[str]) -> list[Any] | None:
    """[lemma, code or None for the block's, words before, words after, irregular forms] of one verb line."""
    codes = CODE_RE.findall(line)
    forms_match = re.search(r"\{([^}]*)\}", line)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", line).strip()
    if not text or " " in text:
        return None
    words = text.lower().split("_")
    marked = [i for i, w in enumerate(words) if w.startswith("+")]
    if len(words) > 1 and len(marked) != 1:
        return None
    head = marked[0] if marked else 0
    forms: list[str] = []
    if forms_match:
        for form in forms_match.group(1).split():
            parts = form.lower().split("_")
            verb_part = next((p for p in parts if p.startswith("+")), parts[0])
            forms.append(verb_part.lstrip("+"))
    # A code of the verb's own (not the block's) says the dictionary's authors coded this verb by itself.
    code = normalise_code(codes[0], known) if codes else None
    lemma = words[head].lstrip("+")
    if len(words) == 1 and lemma in VERB_CODES:
        code = VERB_CODES[lemma]
    return [lemma, code, words[:head], words[head + 1 :], sorted(set(forms) - {words[head]})]


def read_verb_dictionary(path: Path, known: set[str]) -> Dictionary:
    dictionary = Dictionary()
    lines = path.read_text(encoding="utf-8").splitlines()
    block: Block | None = None
    synset: str | None = None
    for raw in lines:
        line = _strip_comment(raw)
        if not line.strip():
            continue  # comment and blank lines do not end a synset (PETRARCH's reader skips them)
        stripped = line.strip()
        if synset is not None and stripped.startswith("+"):
            phrase = stripped[1:].strip()
            words = phrase.lower().rstrip("_").replace("_", " ")
            dictionary.synsets[synset.rstrip("_")].append(words)
            if not (synset.endswith("_") or phrase.endswith("_")):
                dictionary.synsets[synset.rstrip("_")].append(plural(words))
            continue
        synset = None
        if stripped.startswith("&"):
            synset = stripped[1:]
            dictionary.synsets.setdefault(synset.rstrip("_"), [])
        elif stripped.startswith("---"):
            name = stripped.strip("-").split("[", 1)[0].strip()
            codes = CODE_RE.findall(stripped)
            code = normalise_code(codes[0], known) if codes else None
            block = Block(name, BLOCK_CODES.get(name, {}).get(code or "", code))
            dictionary.blocks.append(block)
        elif block is None:
            continue
        elif stripped.startswith("-"):
            pattern = _read_pattern(stripped, dictionary, known)
            if pattern is not None and pattern[2] in BLOCK_CODES.get(block.name, {}):
                pattern[2] = BLOCK_CODES[block.name][pattern[2]]
            if pattern is None or pattern in block.patterns:
                dictionary.skipped_patterns += pattern is None
                continue
            block.patterns.append(pattern)
        else:
            verb = _read_verb(stripped, block, known)
            if verb is None:
                dictionary.skipped_verbs += 1
            else:
                block.verbs.append(verb)
    dictionary.synsets = {name: sorted(set(p)) for name, p in sorted(dictionary.synsets.items()) if p}
    dictionary.blocks = [b for b in dictionary.blocks if b.verbs]
    return dictionary


def licence_text(path: Path) -> list[str]:
    """The MIT notice at the head of the PETRARCH verb dictionary, as lines."""
    lines = [line[1:].strip() for line in path.read_text(encoding="utf-8").splitlines()[:60] if line.startswith("#")]
    start = next(i for i, line in enumerate(lines) if line.startswith("The MIT License"))
    end = next(i for i, line in enumerate(lines) if "DEALINGS IN THE SOFTWARE" in line)
    return lines[start : end + 1]


def render_patterns(dictionary: Dictionary, licence: list[str], pattern_count: int) -> str:
    """Deterministic JSON, one synset / verb / pattern per line so a rebuild diffs readably."""
    dump = json.dumps
    about = [
        "CAMEO verb patterns for newsflow's event coder, derived by seeds/build_event_patterns.py from",
        f"{VERB_FILE.name} (PETRARCH2, Open Event Data Alliance, MIT licence below).",
        "Each block: synonymous verbs [lemma, code (null = the block's), words before, words after, irregular forms]",
        "and patterns [words before the verb, words after it, CAMEO code (null = no event)] in PETRARCH's notation:",
        "'$' source, '+' target, '%' compound actor, '^' skipped phrase, '&NAME' synset, '_' consecutive words.",
        f"{len(dictionary.blocks)} blocks, {sum(len(b.verbs) for b in dictionary.blocks)} verbs, {pattern_count}"
        f" patterns; skipped {dictionary.skipped_patterns} TABARI-only patterns, {dictionary.skipped_verbs}"
        " verb lines.",
        f"Codes of the CAMEO codebook's own for {', '.join(sorted(VERB_CODES))} and the {', '.join(BLOCK_CODES)}"
        " block (see VERB_CODES, BLOCK_CODES there).",
    ]
    out = ["{", f'"about": {dump(about)},', f'"licence": {dump(licence)},', '"synsets": {']
    synsets = [f"{dump(name)}: {dump(phrases)}" for name, phrases in dictionary.synsets.items()]
    out.append(",\n".join(synsets))
    out.append("},")
    out.append('"blocks": [')
    rendered = []
    for block in dictionary.blocks:
        rows = [dump(v, separators=(",", ":")) for v in block.verbs]
        rows += [dump(p, separators=(",", ":")) for p in block.patterns]
        rendered.append(
            f'{{"name": {dump(block.name)}, "code": {dump(block.code)}, "n_verbs": {len(block.verbs)}, "rows": [\n'
            + ",\n".join(rows)
            + "\n]}"
        )
    out.append(",\n".join(rendered))
    out.append("]")
    out.append("}")
    return "\n".join(out) + "\n"


def render_codes(goldstein: dict[str, tuple[str, float]], plover: dict[str, tuple[str, str]]) -> str:
    header = [
        "# Every CAMEO event code: name, Goldstein score, QuadClass, PLOVER category (newsflow's 18 labels). Built by",
        "# seeds/build_event_patterns.py; do not edit by hand.",
        "# name, goldstein: the CAMEO code table of the andybega/icews R package (MIT licence); the scale is",
        "#   Goldstein's (1992, J. Conflict Resolution 36:369). A code missing there takes its parent's score",
        "#   (marked *).",
        "# event_type, plover_2021, plover_mode: CAMEO2PLOVER-2021.txt (Open Event Data Alliance PLOVER project,",
        "#   PLOVER manual draft 0.8, ed. Philip Schrodt; shared with the PLOVER gold standard records under",
        "#   CC BY-SA 4.0),",
        "#   with the 2021 names mapped to the gold-standard labels (REQUEST -> DEMAND, ACCUSE -> DISAPPROVE or",
        "#   INVESTIGATE, all of root 19 -> FIGHT), 02 appeals -> DEMAND, 01 statements -> no event, 163 -> SANCTION,",
        "#   1712 -> COERCE. This file is shared under CC BY-SA 4.0 with those attributions.",
        "# quad_class from the root: 01-05 verbal cooperation 1, 06-08 material cooperation 2, 09-13 verbal",
        "#   conflict 3, 14-20 material conflict 4.",
    ]
    rows = ["cameo_code\tname\tgoldstein\tquad_class\tevent_type\tplover_2021\tplover_mode"]
    for code in sorted(set(goldstein) | set(plover), key=lambda c: (c[:2], c)):
        if code in goldstein:
            name, score = goldstein[code]
            score_text = f"{score:g}"
        else:
            parent = next(code[:n] for n in range(len(code) - 1, 1, -1) if code[:n] in goldstein)
            name, score_text = f"({goldstein[parent][0]})", f"{goldstein[parent][1]:g}*"
        category, mode = plover.get(code, ("", ""))
        rows.append(
            "\t".join([code, name, score_text, str(quad_class(code)), event_type(code, plover), category, mode.strip()])
        )
    return "\n".join(header + rows) + "\n"


def build(source: Path, out_dir: Path = REFERENCE_DIR) -> dict[str, int]:
    goldstein = read_goldstein(source / GOLDSTEIN_FILE)
    plover = read_plover(source / PLOVER_FILE)
    known = set(goldstein) | set(plover)
    dictionary = read_verb_dictionary(source / VERB_FILE, known)
    pattern_count = sum(len(b.patterns) for b in dictionary.blocks)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / PATTERNS_OUT).write_text(
        render_patterns(dictionary, licence_text(source / VERB_FILE), pattern_count), encoding="utf-8"
    )
    (out_dir / CODES_OUT).write_text(render_codes(goldstein, plover), encoding="utf-8")
    return {"blocks": len(dictionary.blocks), "patterns": pattern_count, "codes": len(known)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the shared data directory")
    parser.add_argument("--out", type=Path, default=REFERENCE_DIR)
    args = parser.parse_args()
    counts = build(args.source, args.out)
    print(f"wrote {args.out / PATTERNS_OUT} and {args.out / CODES_OUT}: {counts}")


if __name__ == "__main__":
    main()
