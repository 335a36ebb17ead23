"""Extract: aid events, officials, agreements, dates and every typed mention, from
article bodies, with the rules in ``rules/``.

The modules mirror the rule directories (money, aid, officials, agreements, dates,
entities, mentions). Everything works sentence by sentence on a syllable Doc
(vnfacts.lexicon); rows carry exact body offsets, their evidence and the id of the
rule that made them. Aid events, the signings of agreements and the constructions that
name an official are named patterns of the rule files (extractors.patterns runs them);
Python holds the article-level steps and the finders of the units patterns read
(parties, amounts, a person's titles, a name); every word they look for comes from the
rule files.
"""

from .article import extract_article, extract_text, resolve_entity
from .entities import parties_in_text
from .officials import drop_subsumed_titles

__all__ = ["extract_article", "extract_text", "resolve_entity", "drop_subsumed_titles", "parties_in_text"]
