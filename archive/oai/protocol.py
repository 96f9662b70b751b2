"""The OAI-PMH 2.0 protocol: arguments in, one XML document out.

Written with the standard library's ElementTree: the Python OAI-PMH server libraries keep
their own copy of every record (django-oai-pmh) or want the records through their own server
interface (pyoai / oaipmh); here the records are the items, asked of the access policy, and
the protocol is six verbs and a handful of errors. Element order follows the OAI-PMH 2.0
schema (``OAI-PMH.xsd``) and the ``oai_dc`` schema.

Resumption tokens carry their own state (the request's arguments and the last row given),
signed with the secret key and timestamped: they survive a restart and any number of web
processes, cannot be forged, and expire after ``MHA_OAI_TOKEN_SECONDS``.
"""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.items.models import CREATOR_ROLES, ItemPage

from . import records
from .models import Tombstone

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_XSD = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_XSD = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
#: The richer format: qualified Dublin Core (DCMI terms) with the Europeana Data Model's
#: links (where the item is shown, its picture, its rights), the IIIF manifest and the
#: Traditional Knowledge labels, in a container whose schema is served with the site.
MHA_QDC = "https://miao-heritage.archive/ns/mha-qdc/1.0/"
MHA_QDC_XSD = "oai/mha_qdc.xsd"  # a static file
DCTERMS = "http://purl.org/dc/terms/"
EDM = "http://www.europeana.eu/schemas/edm/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

for _prefix, _uri in (
    ("", OAI),
    ("oai_dc", OAI_DC),
    ("dc", DC),
    ("xsi", XSI),
    ("mha", MHA_QDC),
    ("dcterms", DCTERMS),
    ("edm", EDM),
):
    ET.register_namespace(_prefix, _uri)

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
#: Metadata formats: prefix → (schema, namespace); a schema without a scheme is a static file.
FORMATS = {"oai_dc": (OAI_DC_XSD, OAI_DC), "mha_qdc": (MHA_QDC_XSD, MHA_QDC)}
#: The arguments each verb accepts: required, optional; ``resumptionToken`` is exclusive.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset()),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"})),
}
TOKEN_SALT = "archive.oai.resumption"  # noqa: S105 (a signing namespace, not a secret)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
# Characters XML 1.0 cannot carry at all; a stray one in a description must not break a harvest.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class OAIError(Exception):
    """One of the protocol's error conditions: ``code`` as the spec names it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Request:
    verb: str
    args: dict[str, str]
    base_url: str
    #: Builds absolute URLs (item pages, manifests) for the records.
    absolute: object = field(repr=False, default=str)


def utc(ts: datetime.datetime) -> str:
    return ts.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def oai_identifier(local: str) -> str:
    return f"oai:{settings.MHA_OAI_REPOSITORY_ID}:{local}"


def local_identifier(identifier: str) -> str | None:
    prefix = f"oai:{settings.MHA_OAI_REPOSITORY_ID}:"
    return identifier[len(prefix) :] if identifier.startswith(prefix) else None


# --- arguments ------------------------------------------------------------------------


def parse(query: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    """Check the verb and its arguments (``query`` as ``QueryDict.lists()``); raise the
    error the spec names for each kind of mistake."""
    verbs = query.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", _("The verb is missing, repeated or not an OAI-PMH verb."))
    verb = verbs[0]
    args: dict[str, str] = {}
    for name, values in query.items():
        if name == "verb":
            continue
        if len(values) != 1:
            raise OAIError("badArgument", _("The argument %(name)s is repeated.") % {"name": name})
        args[name] = values[0]
    required, optional = VERBS[verb]
    allowed = required | optional
    if "resumptionToken" in args and verb in ("ListIdentifiers", "ListRecords", "ListSets"):
        if len(args) > 1:
            raise OAIError(
                "badArgument", _("resumptionToken is an exclusive argument: send it alone.")
            )
        return verb, args
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise OAIError(
            "badArgument",
            _("%(verb)s does not take the argument %(name)s.") % {"verb": verb, "name": unknown[0]},
        )
    missing = sorted(required - set(args))
    if missing:
        raise OAIError(
            "badArgument",
            _("%(verb)s needs the argument %(name)s.") % {"verb": verb, "name": missing[0]},
        )
    return verb, args


def _date(value: str, end: bool) -> tuple[datetime.datetime, str]:
    """A ``from``/``until`` value as a UTC instant, with its granularity."""
    try:
        if _DAY.match(value):
            day = datetime.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=datetime.UTC)
            return day, "day"
        if _SECOND.match(value):
            second = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
            return second.replace(tzinfo=datetime.UTC), "second"
    except ValueError:
        pass
    raise OAIError(
        "badArgument",
        _("%(value)s is not a date of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")
        % {"value": value[:40]},
    )


def _window(args: dict[str, str]) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """``from`` (inclusive) and the instant just after ``until``, at the granularity given."""
    since = before = None
    kinds = set()
    if "from" in args:
        since, kind = _date(args["from"], end=False)
        kinds.add(kind)
    if "until" in args:
        until, kind = _date(args["until"], end=True)
        kinds.add(kind)
        before = until + (
            datetime.timedelta(days=1) if kind == "day" else datetime.timedelta(1 / 86400)
        )
    if len(kinds) > 1:
        raise OAIError("badArgument", _("from and until must have the same granularity."))
    if since and before and since >= before:
        raise OAIError("badArgument", _("from is later than until."))
    return since, before


# --- the document ----------------------------------------------------------------------


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = _NOT_XML.sub("", text)
    return child


def _envelope(req: Request, echo: bool) -> ET.Element:
    root = ET.Element(f"{{{OAI}}}OAI-PMH", {f"{{{XSI}}}schemaLocation": f"{OAI} {OAI_XSD}"})
    _el(root, f"{{{OAI}}}responseDate", utc(timezone.now()))
    attrs = {"verb": req.verb, **req.args} if echo else {}
    _el(root, f"{{{OAI}}}request", req.base_url, **attrs)
    return root


def render(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def error_document(req: Request, err: OAIError) -> bytes:
    # After badVerb or badArgument the request element holds the base URL only (spec 3.6).
    root = _envelope(req, echo=err.code not in ("badVerb", "badArgument"))
    _el(root, f"{{{OAI}}}error", err.message, code=err.code)
    return render(root)


def respond(req: Request) -> bytes:
    handler = {
        "Identify": identify,
        "ListMetadataFormats": list_metadata_formats,
        "ListSets": list_sets,
        "GetRecord": get_record,
        "ListIdentifiers": list_headers,
        "ListRecords": list_headers,
    }[req.verb]
    root = _envelope(req, echo=True)
    handler(req, root)
    return render(root)


# --- verbs -----------------------------------------------------------------------------


def identify(req: Request, root: ET.Element) -> None:
    body = _el(root, f"{{{OAI}}}Identify")
    _el(body, f"{{{OAI}}}repositoryName", settings.WAGTAIL_SITE_NAME)
    _el(body, f"{{{OAI}}}baseURL", req.base_url)
    _el(body, f"{{{OAI}}}protocolVersion", "2.0")
    _el(body, f"{{{OAI}}}adminEmail", settings.MHA_OAI_ADMIN_EMAIL)
    _el(body, f"{{{OAI}}}earliestDatestamp", utc(records.earliest_datestamp()))
    _el(body, f"{{{OAI}}}deletedRecord", "persistent")
    _el(body, f"{{{OAI}}}granularity", GRANULARITY)


def _require_format(prefix: str) -> None:
    if prefix not in FORMATS:
        raise OAIError(
            "cannotDisseminateFormat",
            _("The metadata format %(prefix)s is not offered here.") % {"prefix": prefix[:40]},
        )


def _lookup(identifier: str) -> tuple[ItemPage | None, Tombstone | None, bool]:
    local = local_identifier(identifier)
    found = records.find(local) if local else (None, None, False)
    if found == (None, None, False):
        raise OAIError(
            "idDoesNotExist",
            _("%(identifier)s is not an identifier in this repository.")
            % {"identifier": identifier[:80]},
        )
    return found


def list_metadata_formats(req: Request, root: ET.Element) -> None:
    if "identifier" in req.args:
        _lookup(req.args["identifier"])
    body = _el(root, f"{{{OAI}}}ListMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        fmt = _el(body, f"{{{OAI}}}metadataFormat")
        _el(fmt, f"{{{OAI}}}metadataPrefix", prefix)
        _el(fmt, f"{{{OAI}}}schema", _schema_url(req, schema))
        _el(fmt, f"{{{OAI}}}metadataNamespace", namespace)


def list_sets(req: Request, root: ET.Element) -> None:
    if "resumptionToken" in req.args:
        # Every set fits in one response: no token was ever issued for this list.
        raise OAIError("badResumptionToken", _("This resumption token is not valid."))
    body = _el(root, f"{{{OAI}}}ListSets")
    sets = [(page.slug, page.title_en or page.title) for page in records.collections()]
    for spec, name in sets + records.facet_sets():
        entry = _el(body, f"{{{OAI}}}set")
        _el(entry, f"{{{OAI}}}setSpec", spec)
        _el(entry, f"{{{OAI}}}setName", name)


def _schema_url(req: Request, schema: str) -> str:
    return schema if "://" in schema else req.absolute(static(schema))


def _header(parent: ET.Element, identifier: str, ts, set_specs: list[str], deleted: bool) -> None:
    attrs = {"status": "deleted"} if deleted else {}
    head = _el(parent, f"{{{OAI}}}header", **attrs)
    _el(head, f"{{{OAI}}}identifier", oai_identifier(identifier))
    _el(head, f"{{{OAI}}}datestamp", utc(ts))
    for spec in set_specs:
        if spec:
            _el(head, f"{{{OAI}}}setSpec", spec)


def _item_datestamp(item: ItemPage) -> datetime.datetime:
    return item.last_published_at or item.first_published_at or records.EPOCH


def _dublin_core(req: Request, parent: ET.Element, item: ItemPage) -> None:
    meta = _el(parent, f"{{{OAI}}}metadata")
    dc = _el(
        meta,
        f"{{{OAI_DC}}}dc",
        **{f"{{{XSI}}}schemaLocation": f"{OAI_DC} {OAI_DC_XSD}"},
    )
    elements = item.dublin_core()
    elements["identifier"] = [*elements["identifier"], req.absolute(item.url or "")]
    elements["relation"] = [
        *elements["relation"],
        req.absolute(reverse("iiif-manifest", args=[item.pk])),
    ]
    for name, values in elements.items():
        for value in values:
            if value and str(value).strip():
                _el(dc, f"{{{DC}}}{name}", str(value))


def _lang_el(parent: ET.Element, tag: str, values: dict[str, str]) -> None:
    for lang, value in values.items():
        if value and value.strip():
            _el(parent, tag, value, **{XML_LANG: lang})


def _term_el(parent: ET.Element, tag: str, term) -> None:
    _lang_el(parent, tag, {"zh": term.label_zh, "en": term.label_en, "hmn": term.label_hmn})


def _qualified(req: Request, parent: ET.Element, item: ItemPage, ts: datetime.datetime) -> None:
    """The ``mha_qdc`` record: DCMI terms per language, EDM links, IIIF, TK labels."""
    meta = _el(parent, f"{{{OAI}}}metadata")
    schema = f"{MHA_QDC} {_schema_url(req, MHA_QDC_XSD)}"
    rec = _el(meta, f"{{{MHA_QDC}}}qdc", **{f"{{{XSI}}}schemaLocation": schema})
    t = f"{{{DCTERMS}}}"
    page_url = req.absolute(item.url or "")
    _el(rec, f"{t}identifier", item.identifier)
    _el(rec, f"{t}identifier", page_url)
    _lang_el(rec, f"{t}title", {"zh": item.title, "en": item.title_en, "hmn": item.title_hmn})
    _lang_el(
        rec,
        f"{t}description",
        {"zh": item.description_zh, "en": item.description_en, "hmn": item.description_hmn},
    )
    for ip in item.credited():
        name = str(ip.person)
        if ip.role in CREATOR_ROLES:
            _el(rec, f"{t}creator", name)
        else:
            _el(rec, f"{t}contributor", f"{name} ({ip.get_role_display()})")
    for term in item.subjects():
        _term_el(rec, f"{t}subject", term)
    for tag in item.tags.all():
        _el(rec, f"{t}subject", tag.name)
    if item.place:
        _term_el(rec, f"{t}spatial", item.place)
    _lang_el(rec, f"{t}temporal", {"zh": item.date_text_zh, "en": item.date_text_en})
    years = "/".join(str(y) for y in (item.year_from, item.year_to) if y)
    if years:
        _el(rec, f"{t}created", years)
    _el(rec, f"{t}type", item.dc_type)
    for fmt in item.dublin_core()["format"]:
        _el(rec, f"{t}format", fmt)
    parent_page = item.get_parent()
    if parent_page:
        _el(rec, f"{t}isPartOf", req.absolute(parent_page.url or ""))
    for lang in item.dc_languages():
        _el(rec, f"{t}language", lang)
    _el(rec, f"{t}license", item.licence_uri)
    if item.rights_holder:
        _el(rec, f"{t}rightsHolder", item.rights_holder)
    _el(rec, f"{t}accessRights", item.access_level)
    _lang_el(
        rec,
        f"{t}bibliographicCitation",
        {"zh": item.attribution_zh, "en": item.attribution_en},
    )
    _el(rec, f"{t}modified", utc(ts))
    _el(rec, f"{{{EDM}}}isShownAt", page_url)
    thumb = records.public_thumbnail(item)
    if thumb is not None:
        _el(rec, f"{{{EDM}}}object", req.absolute(thumb))
    _el(rec, f"{{{EDM}}}rights", item.licence_uri)
    _el(rec, f"{{{MHA_QDC}}}iiifManifest", req.absolute(reverse("iiif-manifest", args=[item.pk])))
    labels = dict(item._meta.get_field("tk_labels").item_choices)
    for code in item.tk_labels or []:
        _el(rec, f"{{{MHA_QDC}}}tkLabel", str(labels.get(code, code)), code=code)


def _record(
    req: Request,
    parent: ET.Element,
    item: ItemPage | None,
    tomb: Tombstone | None,
    ts: datetime.datetime,
    deleted: bool,
    prefix: str | None,
    sets: list[str] | None = None,
) -> None:
    """One header (ListIdentifiers: no ``prefix``) or record (ListRecords, GetRecord)."""
    target = _el(parent, f"{{{OAI}}}record") if prefix else parent
    if item is None:
        _header(target, tomb.identifier, tomb.datestamp, [tomb.set_spec], True)
        return
    if sets is None:
        sets = records.item_sets([item])[item.pk]
    _header(target, item.identifier, ts, sets, deleted)
    if prefix == "oai_dc" and not deleted:
        _dublin_core(req, target, item)
    elif prefix == "mha_qdc" and not deleted:
        _qualified(req, target, item, ts)


def get_record(req: Request, root: ET.Element) -> None:
    prefix = req.args["metadataPrefix"]
    _require_format(prefix)
    item, tomb, deleted = _lookup(req.args["identifier"])
    body = _el(root, f"{{{OAI}}}GetRecord")
    ts = tomb.datestamp if tomb else item.expire_at if deleted else _item_datestamp(item)
    _record(req, body, item, tomb, ts, deleted, prefix)


def _token_state(req: Request) -> dict:
    try:
        state = signing.loads(
            req.args["resumptionToken"], salt=TOKEN_SALT, max_age=settings.MHA_OAI_TOKEN_SECONDS
        )
    except signing.SignatureExpired as exc:
        raise OAIError(
            "badResumptionToken", _("This resumption token has expired: start the list again.")
        ) from exc
    except signing.BadSignature as exc:
        raise OAIError("badResumptionToken", _("This resumption token is not valid.")) from exc
    if not isinstance(state, dict) or state.get("verb") != req.verb:
        raise OAIError("badResumptionToken", _("This resumption token is not valid."))
    return state


def list_headers(req: Request, root: ET.Element) -> None:
    """ListIdentifiers and ListRecords: one batch, and a token for the next."""
    if "resumptionToken" in req.args:
        state = _token_state(req)
        args = state["args"]
        after = (datetime.datetime.fromisoformat(state["after"][0]), state["after"][1])
        cursor = state["cursor"]
    else:
        args, after, cursor = dict(req.args), None, 0
        _require_format(args["metadataPrefix"])
    since, before = _window(args)
    set_spec = args.get("set")
    if set_spec is not None and not records.set_exists(set_spec):
        raise OAIError(
            "noRecordsMatch", _("This repository has no set %(set)s.") % {"set": set_spec[:80]}
        )
    size = settings.MHA_OAI_PAGE_SIZE
    found = records.rows(set_spec, since, before, after)
    batch = records.as_rows(found[: size + 1])
    if not batch and after is None:
        raise OAIError("noRecordsMatch", _("No records match these arguments."))
    more = len(batch) > size
    batch = batch[:size]
    items = {
        i.pk: i
        for i in ItemPage.objects.filter(pk__in=[r.key for r in batch])
        .select_related("place")
        .specific()
    }
    tombs = {
        t.item_id: t
        for t in Tombstone.objects.filter(item_id__in=[r.key for r in batch if r.deleted])
    }
    prefix = args["metadataPrefix"] if req.verb == "ListRecords" else None
    sets = records.item_sets(list(items.values()))
    body = _el(root, f"{{{OAI}}}{req.verb}")
    for row in batch:
        item = items.get(row.key)
        tomb = tombs.get(row.key)
        if row.deleted and tomb is not None:
            item = None
        if item is None and tomb is None:
            continue  # removed between the two queries; the next harvest will see it
        specs = sets.get(item.pk) if item is not None else None
        _record(req, body, item, tomb, row.datestamp, row.deleted, prefix, specs)
    if more or cursor:
        _resumption(body, args, batch[-1] if more else None, cursor, len(batch), req.verb, set_spec)


def _resumption(body, args, last, cursor, given, verb, set_spec) -> None:
    attrs = {"cursor": str(cursor)}
    if last is None:
        # The last batch of a resumed list: an empty token says the list is complete.
        _el(body, f"{{{OAI}}}resumptionToken", "", **attrs)
        return
    since, before = _window(args)
    attrs["completeListSize"] = str(records.rows(set_spec, since, before).count())
    expires = timezone.now() + datetime.timedelta(seconds=settings.MHA_OAI_TOKEN_SECONDS)
    attrs["expirationDate"] = utc(expires)
    state = {
        "verb": verb,
        "args": args,
        "after": [last.datestamp.isoformat(), last.key],
        "cursor": cursor + given,
    }
    token = signing.dumps(state, salt=TOKEN_SALT, compress=True)
    _el(body, f"{{{OAI}}}resumptionToken", token, **attrs)
