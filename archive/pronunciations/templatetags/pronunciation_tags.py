from django import template

from archive.pronunciations.models import Pronunciation, term_key

register = template.Library()


@register.simple_tag
def pronunciations(*term_lists) -> dict:
    """``{% pronunciations page.motifs.all page.techniques.all as heard %}``: the
    pronunciation that may be heard of each term listed, in one query (give it to
    ``pronounce`` so a page with many terms does not ask once per term). Terms the item page
    loaded with their pronunciation (``items.terms``, ``heard_pronunciation_id``) ask
    nothing more."""
    terms = [t for ts in term_lists for t in ts]
    if all(hasattr(t, "heard_pronunciation_id") for t in terms):
        return {
            term_key(t): Pronunciation(pk=t.heard_pronunciation_id)
            for t in terms
            if t.heard_pronunciation_id
        }
    return Pronunciation.objects.shown().first_of_terms(terms)


@register.inclusion_tag("pronunciations/play.html")
def pronounce(term, heard=None):
    """A play button beside ``term`` while a pronunciation of it may be heard; else nothing.
    ``heard``: what ``pronunciations`` found for the page's terms."""
    if heard is not None:
        return {"pron": heard.get(term_key(term))}
    pron = Pronunciation.objects.shown().of_term(term).first() if term is not None else None
    return {"pron": pron}
