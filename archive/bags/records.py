"""The project's own JSON for what a bag carries, and back.

Rows refer to one another by their stable names, never by database ids: terms and people by
slug, items by accession identifier, originals by SHA-256. An archive that receives a bag
has its own ids; the names are what both archives share.

Fields are read from the models, not listed here: a field added to an item kind travels in
bags without a change to this module. Only what a model points at needs a rule (a term or a
person by slug); the Wagtail tree fields (path, depth, revisions, locks) stay behind.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from wagtail.models import Page

from archive.items.models import ItemPage
from archive.people.models import ConsentRecord, Person
from archive.vocabularies.models import Term

#: The format of ``item.json`` and the files beside it; an importer refuses other majors.
FORMAT = "mha-bag/1"

#: The page fields (of Wagtail's ``Page``) an item keeps through a bag.
PAGE_FIELDS = (
    "title",
    "slug",
    "seo_title",
    "search_description",
    "live",
    "first_published_at",
    "last_published_at",
    "go_live_at",
    "expire_at",
)
#: Person fields that are not part of a public profile: they go to curators' bags only.
PRIVATE_PERSON_FIELDS = frozenset({"birth_year"})


def as_json(field: models.Field, value: Any) -> Any:
    """A value as JSON holds it (dates as ISO text, decimals as text)."""
    if value is None or isinstance(value, bool | int | str | list | dict):
        return value
    if isinstance(value, float):
        return value
    return DjangoJSONEncoder().default(value)


def _own_fields(model: type[models.Model], base: type[models.Model]) -> list[models.Field]:
    """Concrete fields declared below ``base`` (its own and its subclasses'), no parent links."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f.remote_field, "parent_link", False):
            continue
        if issubclass(f.model, base) and f.model is not Page:
            out.append(f)
    return out


def _is_named(model: type[models.Model]) -> bool:
    return issubclass(model, Term | Person)


def item_fields(page: Page) -> tuple[dict, dict, dict]:
    """Plain fields, references (field → slug) and lists of references (field → slugs)."""
    model = type(page)
    plain = {
        name: as_json(model._meta.get_field(name), getattr(page, name)) for name in PAGE_FIELDS
    }
    refs: dict[str, str | None] = {}
    for f in _own_fields(model, ItemPage):
        if f.is_relation:
            target = getattr(page, f.name)
            refs[f.name] = target.slug if target is not None else None
        else:
            plain[f.name] = as_json(f, f.value_from_object(page))
    many = {
        f.name: sorted(t.slug for t in getattr(page, f.name).all())
        for f in model._meta.many_to_many
        if _is_named(f.related_model) and issubclass(f.model, ItemPage)
    }
    return plain, refs, many


def referenced(page: Page) -> tuple[list[Term], list[Person]]:
    """The terms and people an item points at (its people's villages included)."""
    model = type(page)
    terms: list[Term] = []
    people: list[Person] = []
    for f in _own_fields(model, ItemPage):
        target = getattr(page, f.name) if f.is_relation else None
        if isinstance(target, Term):
            terms.append(target)
        elif isinstance(target, Person):
            people.append(target)
    for f in model._meta.many_to_many:
        if issubclass(f.related_model, Term) and issubclass(f.model, ItemPage):
            terms.extend(getattr(page, f.name).all())
    people.extend(ip.person for ip in page.people.all())
    terms.extend(p.village for p in people if p.village is not None)
    return terms, people


def term_record(term: Term) -> dict:
    record = {"model": term._meta.label_lower}
    for f in _own_fields(type(term), Term):
        if f.name == "broader":
            record["broader"] = term.broader.slug if term.broader else None
        else:
            record[f.name] = as_json(f, f.value_from_object(term))
    return record


def with_broader(terms: list[Term]) -> list[Term]:
    """``terms`` and every broader term above them, broader ones first, each once."""
    out: dict[tuple[str, str], Term] = {}

    def add(term: Term, depth: int = 0) -> None:
        if term.broader is not None and depth < 20:
            add(term.broader, depth + 1)
        out.setdefault((term._meta.label_lower, term.slug), term)

    for t in terms:
        add(t)
    return list(out.values())


def person_record(person: Person, *, curator: bool) -> dict:
    record: dict[str, Any] = {}
    for f in _own_fields(Person, Person):
        if f.name in PRIVATE_PERSON_FIELDS and not curator:
            continue
        if f.name == "village":
            record["village"] = person.village.slug if person.village else None
        else:
            record[f.name] = as_json(f, f.value_from_object(person))
    return record


def consent_record(consent: ConsentRecord) -> dict:
    """A consent as evidence: who, what scope, for which item, when, and its withdrawal."""
    withdrawal = getattr(consent, "withdrawal", None)
    return {
        "person": consent.person.slug,
        "scope": consent.scope,
        "item": consent.item.identifier if consent.item_id else None,
        "granted_on": as_json(None, consent.granted_on),
        "recorded_by": consent.recorded_by,
        "entered_by": consent.recorded_by_user.get_username() if consent.recorded_by_user else None,
        "withdrawn_on": as_json(None, consent.withdrawn_on),
        "withdrawal_reason": withdrawal.reason if withdrawal else "",
        "note": consent.note,
        "evidence": consent.evidence.title if consent.evidence_id else None,
    }


def set_plain(obj: models.Model, values: dict, skip: frozenset[str] = frozenset()) -> None:
    """Set fields of ``obj`` from JSON values, each parsed by its own field; unknown names
    are refused (a bag from a newer archive must not be half-understood)."""
    for name, value in values.items():
        if name in skip:
            continue
        try:
            f = obj._meta.get_field(name)
        except Exception as exc:
            raise ValueError(f"unknown field {name!r} for {obj._meta.label}") from exc
        if f.is_relation or f.primary_key:
            raise ValueError(f"field {name!r} of {obj._meta.label} is not a plain value")
        setattr(obj, f.attname, None if value is None else f.to_python(value))
