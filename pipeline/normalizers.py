"""What a rule file's ``normalizer`` names: the versioned function that turns what its rules match into values.

A rule file cites its normalizer by key (``normalizer: aid.v1``); the key resolves to code here, and a rules
directory whose files cite a key that resolves to nothing is refused when it loads. A change of behaviour takes
a new version, so a table's ``rule_id`` and the rule file it cites say which code made it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import import_module
from typing import Callable

# key -> "module:function" inside the package
NORMALIZERS: dict[str, str] = {
    "aid.v1": "extractors.aid:aid_article_steps",
    "agreement.v1": "extractors.agreements:merge_repeated_agreements",
    "official.v1": "extractors.officials:officials_of_article",
    "entity.v1": "extractors.article:resolve_entity",
    "money.v1": "numbers:parse_money",
    "number.v1": "numbers:parse_number",
    "date.v1": "dates:parse_date",
    "canonical.v1": "normalize:canonical_text",
    "zones.v1": "zoning:classify_line_alone",
    "zones.v2": "zoning:classify_layout_alone",
    "zones.stopword_share.v1": "zoning:stopword_share",
    "zones.html.v1": "html_page:markup_cue",
}
# The normalizers a rule file of each kind may cite: they are called with what that kind's rules give.
KIND_NORMALIZERS: dict[str, tuple[str, ...]] = {
    "aid": ("aid.v1",), "agreement": ("agreement.v1",), "official": ("official.v1",),
    "entity": ("entity.v1",), "entity_countries": ("entity.v1",), "entity_shape": ("entity.v1",),
    "money": ("money.v1",), "number": ("number.v1",), "date": ("date.v1",), "canonical": ("canonical.v1",),
    "zone": ("zones.v1",), "zone_layout": ("zones.v2",), "stoplist": ("zones.stopword_share.v1",),
    "zone_html": ("zones.html.v1",),
}


class UnknownNormalizer(KeyError):
    pass


def check_normalizer(kind: str, key: str) -> None:
    """UnknownNormalizer unless ``key`` names code that serves rule files of ``kind``."""
    normalizer(key)
    if key not in KIND_NORMALIZERS.get(kind, ()):
        raise UnknownNormalizer(f"normalizer {key!r} serves no rule file of kind {kind!r} "
                                f"(it takes {', '.join(KIND_NORMALIZERS.get(kind, ())) or 'none'})")


@lru_cache(maxsize=None)
def normalizer(key: str) -> Callable:
    """The function a normalizer key names; UnknownNormalizer when it names none."""
    target = NORMALIZERS.get(key)
    if target is None:
        raise UnknownNormalizer(f"normalizer {key!r} names no function (known: {', '.join(sorted(NORMALIZERS))})")
    module, _, name = target.partition(":")
    function = getattr(import_module(f"{__package__}.{module}"), name, None)
    if not callable(function):
        raise UnknownNormalizer(f"normalizer {key!r} points at {target}, which is no function")
    return function
