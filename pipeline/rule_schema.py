"""The schema of every rule file, by kind, checked with jsonschema when the file loads.

A rule file may hold the keys its kind reads (below) and the word lists its ``labels:`` declares; any other key,
a value of the wrong type, a declaration of a list the file does not have, or a pattern of the wrong shape is
refused with one line naming the file and the key (``RuleFileError``). That a pattern names only labels some rule
file defines is checked across the files, once they are all loaded (``check_pattern_labels``).
"""

from __future__ import annotations

from functools import lru_cache

from jsonschema import Draft202012Validator

STRING = {"type": "string"}
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
NUMBER = {"type": "number"}
OBJECT = {"type": "object"}
ARRAY = {"type": "array"}
PHRASE = {"type": ["string", "number"]}
PHRASES = {"type": "array", "items": PHRASE}
STRINGS = {"type": "array", "items": STRING}
STRING_MAP = {"type": "object", "additionalProperties": STRING}
INT_MAP = {"type": "object", "additionalProperties": INT}
PHRASE_MAP = {"type": "object", "additionalProperties": PHRASES}
# A word list as its label declares it: phrases, or a map of a value to its phrases.
WORD_LIST = {"oneOf": [PHRASES, PHRASE_MAP]}
LABEL_NAME = {"type": "string", "pattern": "^[A-Z][A-Z_]*$"}
ROLE_NAME = {"type": "string", "pattern": "^[a-z][a-z_]*$"}
LABELS = {"type": "array", "items": LABEL_NAME}

LABEL_DECLARATION = {"oneOf": [LABEL_NAME, {
    "type": "object", "required": ["label"], "additionalProperties": False,
    "properties": {"label": LABEL_NAME, "anywhere": BOOL, "cased": BOOL, "heads_a_name": BOOL, "after_a_name": BOOL,
                   "exception": BOOL}}]}

EXAMPLES = {
    "type": "object", "required": ["positive", "negative"], "additionalProperties": False,
    "properties": {
        "positive": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["text", "expected"], "additionalProperties": False,
            "properties": {"text": STRING, "title": STRING, "expected": {}}}},
        "negative": {"type": "array", "minItems": 1, "items": {"oneOf": [STRING, {
            "type": "object", "required": ["text"], "additionalProperties": False,
            "properties": {"text": STRING, "title": STRING}}]}},
    },
}

ELEMENT_COMMON = {"op": {"enum": ["?", "*", "+"]}, "not": LABELS, "not_after": LABELS}
ELEMENT = {"oneOf": [
    {"type": "object", "required": ["party"], "additionalProperties": False,
     "properties": {"party": ROLE_NAME, "kinds": STRINGS, **ELEMENT_COMMON}},
    {"type": "object", "required": ["phrase"], "additionalProperties": False,
     "properties": {"phrase": ROLE_NAME, "up_to": LABELS, "opens_with": LABELS, "without": LABELS,
                    **ELEMENT_COMMON}},
    {"type": "object", "required": ["amount"], "additionalProperties": False,
     "properties": {"amount": ROLE_NAME, **ELEMENT_COMMON}},
    {"type": "object", "required": ["title"], "additionalProperties": False,
     "properties": {"title": ROLE_NAME, "alone": BOOL, "needs_complement": LABELS, **ELEMENT_COMMON}},
    {"type": "object", "required": ["name"], "additionalProperties": False,
     "properties": {"name": ROLE_NAME, "addressed": BOOL, "min_tokens": {"type": "integer", "minimum": 1},
                    "fewer_after": LABELS, **ELEMENT_COMMON}},
    {"type": "object", "required": ["label"], "additionalProperties": False,
     "properties": {"label": LABEL_NAME, "role": ROLE_NAME, **ELEMENT_COMMON}},
    # a gap repeated would try every way of cutting the sentence: a gap is optional at most
    {"type": "object", "required": ["skip"], "additionalProperties": False,
     "properties": {"skip": {"type": "integer", "minimum": 1, "maximum": 20}, **ELEMENT_COMMON,
                    "op": {"enum": ["?"]}}},
    {"type": "object", "required": ["any"], "additionalProperties": False,
     "properties": {"any": {"type": "integer", "minimum": 1, "maximum": 40}, **ELEMENT_COMMON,
                    "op": {"enum": ["?"]}}},
    {"type": "object", "required": ["aside"], "additionalProperties": False,
     "properties": {"aside": {"type": "integer", "minimum": 1, "maximum": 30}, **ELEMENT_COMMON,
                    "op": {"enum": ["?"]}}},
    {"type": "object", "required": ["group"], "additionalProperties": False,
     "properties": {"group": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/element"}},
                    **ELEMENT_COMMON}},
]}
PATTERN = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "description", "pattern", "examples", "counterexamples"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z]+(\.[a-z_]+)+$"},
        "description": STRING,
        "pattern": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/element"}},
        "unless": LABELS, "unless_near": LABELS, "when": LABELS, "unless_in_clause": LABELS,
        # fixed values of the pattern's rows: its flow, or that the amount is each recipient's
        "sets": {"type": "object", "additionalProperties": False,
                 "properties": {"flow": {"enum": ["grant", "loan", "in_kind", "pledge", "debt_relief"]}, "each": BOOL,
                                "per_recipient": BOOL, "frame": {"enum": [True, "giver"]}, "each_name": BOOL,
                                "receivers_follow": BOOL,
                                "donor": {"enum": ["context", "previous_clause", "frame"]},
                                "recipient": {"enum": ["context"]}}},
        "examples": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["text", "expect"], "additionalProperties": False,
            "properties": {"text": STRING, "title": STRING, "expect": OBJECT}}},
        "counterexamples": {"type": "array", "minItems": 1, "items": {"oneOf": [STRING, {
            "type": "object", "required": ["text"], "additionalProperties": False,
            "properties": {"text": STRING, "title": STRING}}]}},
    },
}

COMMON = {
    "id": {"type": "string", "pattern": r"^[a-z_]+(\.[a-z_]+)+$"},
    "kind": STRING,
    "description": STRING,
    "normalizer": {"type": "string", "pattern": r"^[a-z_]+(\.[a-z_]+)*\.v[0-9]+$"},
    "examples": EXAMPLES,
    "labels": {"type": "object", "additionalProperties": LABEL_DECLARATION},
    "label": LABEL_NAME,
    "require_word_boundary": BOOL,
    "reference_date": {"type": "string", "format": "date"},
}
# "pattern_parts": elements several patterns share, each named once and used in the patterns by a YAML alias
PATTERNS = {"patterns": {"type": "array", "items": PATTERN},
            "pattern_parts": {"type": "object", "additionalProperties": {"$ref": "#/$defs/element"}}}

# The keys each kind reads, besides the common ones and its declared word lists.
KIND_KEYS: dict[str, dict] = {
    "aid": {**PATTERNS, "conversion_words": PHRASES, "unlisted_goods_item": STRING, "unlisted_goods_when": LABELS,
            "referring_head_forms": PHRASE_MAP, "commercial_borrower_kinds": STRINGS},
    "agreement": {**PATTERNS, "definite_quantifiers": PHRASES, "kind_list_joiners": PHRASES,
                  "meeting_place_markers": PHRASES},
    "official": {**PATTERNS, "surname_alone_titles": PHRASES, "state_titles": PHRASES, "name_particles": PHRASES,
                 "name_min_syllables": INT, "name_max_syllables": INT, "vietnamese_surnames": PHRASES,
                 "known_people": PHRASE_MAP},
    "entity": {"entries": {"type": "array", "items": {
        "type": "object", "required": ["canonical"], "additionalProperties": False,
        "properties": {"canonical": STRING, "aliases": PHRASES, "ambiguous": PHRASES, "kind": STRING,
                       "country": {"type": ["string", "null"]}, "count": INT}}}},
    "entity_countries": {"cldr_locale": STRING, "exclude": STRINGS, "canonical": STRING_MAP,
                         "aliases": PHRASE_MAP, "ambiguous": PHRASES},
    "entity_shape": {"generic_heads": PHRASES, "organisation_words": PHRASES, "organisation_word_endings": PHRASES,
                     "named_after_people": STRINGS, "numbered_heads": STRINGS, "state_heads": STRINGS,
                     "private_kinds": STRINGS, "located_kinds": STRINGS, "branched_kinds": STRINGS,
                     "unit_abbreviations": PHRASES, "legal_form_heads": PHRASES},
    "money": {"currencies": {"type": "object", "additionalProperties": {
                  "type": "object", "additionalProperties": False,
                  "properties": {"symbols": PHRASES, "words": PHRASES, "minor_units": INT}}},
              "scaled_currency_words": {"type": "array", "items": {
                  "type": "object", "required": ["text", "currency", "multiplier"], "additionalProperties": False,
                  "properties": {"text": PHRASE, "currency": STRING, "multiplier": NUMBER}}},
              "cents": {"type": "object", "required": ["words", "default_currency"], "additionalProperties": False,
                        "properties": {"words": PHRASES, "default_currency": STRING}},
              "cents_connectors": PHRASES, "qualifiers": STRING_MAP,
              "trailing_qualifiers": {"type": "object", "additionalProperties": False,
                                      "properties": {"phrases": STRING_MAP, "openers": PHRASES}},
              "ranges": {"type": "array", "items": {
                  "type": "object", "required": ["separators"], "additionalProperties": False,
                  "properties": {"opener": {"type": ["string", "null"]}, "separators": PHRASES}}}},
    "date": {"resolution": {"type": "object", "additionalProperties": False, "properties": {
                 key: INT for key in ("year_rollover_days", "two_digit_year_future_years", "two_digit_year_pivot",
                                      "year_min", "year_max")}},
             # a vocabulary group is a list of words or a map of a value to its words; templates name the groups
             "vocabulary": {"type": "object", "additionalProperties": {"oneOf": [PHRASES, PHRASE_MAP]}},
             "symbols": {"type": "object", "additionalProperties": False,
                         "properties": {"date_separators": STRINGS, "range_dashes": STRINGS}},
             "grammar": {"type": "object", "additionalProperties": False,
                         "required": ["blocks", "patterns", "range_lead", "range_gap", "range_dash_gap"],
                         "properties": {
                             "blocks": STRING_MAP,
                             "patterns": {"type": "array", "items": {
                                 "type": "object", "required": ["id", "grain", "template"],
                                 "additionalProperties": False,
                                 "properties": {"id": STRING, "grain": STRING, "template": STRING}}},
                             "range_lead": STRING, "range_gap": STRING, "range_dash_gap": STRING}}},
    "canonical": {"remove": STRINGS, "to_space": STRINGS, "lookalikes": STRING_MAP,
                  "tone_first_vowel_nuclei": STRINGS, "tone_skip_after": STRINGS},
    "number": {"digit_format": {"type": "object", "additionalProperties": False,
                                "required": ["thousands_separator", "decimal_separator"],
                                "properties": {"thousands_separator": STRING, "decimal_separator": STRING,
                                               "negative_signs": STRINGS, "suffix_multipliers": INT_MAP,
                                               "group_spaces": STRINGS,
                                               "swapped_separators_when_both": {"type": "boolean"}}},
               "negative_words": PHRASES, "decimal_point_words": PHRASES, "digits": INT_MAP,
               "ten_words": PHRASES, "tens_words": PHRASES, "ones_after_tens": INT_MAP,
               "digits_not_after_tens": PHRASES, "zero_tens_words": PHRASES, "scales": INT_MAP,
               "standalone_scales": PHRASES},
    "zone_layout": {"header_pattern": STRING, "header_keys": STRING_MAP, "date_patterns": STRINGS,
                    "prose_min_chars": INT, "prose_min_stopword_share": NUMBER, "sentence_end": STRING,
                    "prose_kept_min_share": NUMBER, "headline_max_chars": INT, "headline_min_words": INT,
                    "headline_not_end": STRING, "headline_slug_min_share": NUMBER, "slug_min_words": INT,
                    "caption_max_chars": INT, "caption_patterns": STRINGS, "credit_patterns": STRINGS,
                    "byline_prefix": STRING, "inline_photo_credit": STRING, "byline_by_prefix": STRING,
                    "byline_outlet_suffix": STRING, "byline_max_name_words": INT,
                    "byline_lowercase_words": STRINGS, "compiled_marks": STRINGS, "two_digit_year_from": INT,
                    "keyword_separator": STRING, "keyword_min_items": INT, "keyword_max_words": INT,
                    "trailing_name_max_words": INT, "trailing_not_end": STRING},
    "zone": {"breadcrumb_prefixes": STRINGS, "sections": STRINGS, "timestamp_pattern": STRING,
             "widget_lines": STRINGS, "image_placeholder_lines": STRINGS, "furniture_headings": STRINGS,
             "source_credit_patterns": STRINGS, "photo_credit_pattern": STRING, "author_max_words": INT,
             "author_not_end": STRING, "image_slug_pattern": STRING, "sentence_end": STRING, "teaser_end": STRING},
    "stoplist": {"words": STRINGS},
    "zone_html": {"skip_elements": STRINGS, "block_elements": STRINGS, "void_elements": STRINGS,
                  "closes_paragraph": STRINGS, "article_elements": STRINGS, "furniture_elements": STRING_MAP,
                  "caption_elements": STRINGS, "time_elements": STRINGS, "article_body_itemprops": STRINGS,
                  "class_cues": {"type": "array", "items": {
                      "type": "object", "required": ["zone", "reason"], "additionalProperties": False,
                      "anyOf": [{"required": ["words"]}, {"required": ["parts"]}],
                      "properties": {"zone": STRING, "reason": STRING, "words": STRINGS, "parts": STRINGS}}},
                  "article_types": STRINGS, "published_meta": STRINGS, "title_min_word_share": NUMBER,
                  "times_in_lines": STRINGS},
}
KINDS = tuple(KIND_KEYS)


@lru_cache(maxsize=64)
def _validator(kind: str, declared: tuple[str, ...]) -> Draft202012Validator:
    properties = {**COMMON, **KIND_KEYS[kind], **{key: WORD_LIST for key in declared}}
    schema = {"type": "object", "required": ["id", "kind", "description", "normalizer", "examples"],
              "additionalProperties": False, "properties": properties, "$defs": {"element": ELEMENT}}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_problems(data: dict) -> list[tuple[str, str]]:
    """(key path, what is wrong) for every way ``data`` departs from its kind's schema, most specific first."""
    kind = data.get("kind")
    if kind not in KIND_KEYS:
        return [("kind", f"{kind!r} is no rule kind (known: {', '.join(KINDS)})")]
    labels = data.get("labels") if isinstance(data.get("labels"), dict) else {}
    missing = [key for key in labels if key not in data]
    if missing:
        return [(f"labels/{key}", "declares a word list the file does not have") for key in missing]
    problems = []
    for error in sorted(_validator(kind, tuple(labels)).iter_errors(data), key=lambda e: (-len(e.path), str(e.path))):
        path = "/".join(str(p) for p in error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = set(error.schema.get("properties") or {})
            for key in sorted(set(error.instance) - allowed):
                hint = " (a word list needs its label declared under labels:)" if not path else ""
                problems.append((f"{path}/{key}" if path else key, f"unknown key{hint}"))
        else:
            problems.append((path or "(file)", error.message))
    return problems


# The roles the patterns of each kind may bind: what the extractor of that kind reads off a match.
PATTERN_ROLES = {"aid": {"donor", "recipient", "value", "verb", "recipient_head"}, "agreement": {"party", "document", "verb"},
                 "official": {"name", "title"}}


def check_pattern_labels(files: dict[str, list[dict]], defined: set[str]) -> list[tuple[str, str, str]]:
    """(file id, key path, what is wrong) for every label a pattern names that no rule file defines, every role
    its kind's extractor does not read, every pattern id given twice, and patterns in a kind that runs none."""
    from .extractors.patterns import UNIT_KINDS, PatternError, compile_pattern

    problems, ids = [], set()
    for kind, datas in files.items():
        for data in datas:
            for n, spec in enumerate(data.get("patterns") or ()):
                where = (str(data.get("id")), f"patterns/{spec.get('id', n)}")
                if kind not in PATTERN_ROLES:
                    problems.append((*where, f"rule files of kind {kind!r} run no patterns"))
                    continue
                if spec.get("id") in ids:
                    problems.append((*where, "a second pattern with this id"))
                ids.add(spec.get("id"))
                try:
                    pattern = compile_pattern(spec, str(data.get("id")))
                except PatternError as exc:
                    problems.append((where[0], f"patterns/{n}", str(exc)))
                    continue
                for label in sorted(pattern.labels() - defined):
                    problems.append((*where, f"label {label} is defined by no rule file"))
                bound = {el.role for el in pattern.all_elements() if el.role} | \
                    {str(el.value) for el in pattern.all_elements() if el.kind in UNIT_KINDS}
                for role in sorted(bound - PATTERN_ROLES[kind]):
                    problems.append((*where, f"role {role!r} is none the {kind} extractor reads "
                                             f"({', '.join(sorted(PATTERN_ROLES[kind]))})"))
    return problems
