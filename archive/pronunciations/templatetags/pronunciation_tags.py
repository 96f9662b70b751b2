from django import template

from archive.pronunciations.models import Pronunciation

register = template.Library()


@register.inclusion_tag("pronunciations/play.html")
def pronounce(term):
    """A play button beside ``term`` while a pronunciation of it may be heard; else nothing."""
    pron = Pronunciation.objects.shown().of_term(term).first() if term is not None else None
    return {"pron": pron}
