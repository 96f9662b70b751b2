"""Checks a Presentation 3 document the way the official JSON schema would.

The IIIF Presentation 3 JSON schema (``iiif_3_0.json`` of the IIIF presentation validator) is
not published in a package we can install, so this holds two layers instead: iiif-prezi3's
pydantic models, which are generated from that schema, and the schema's essential rules that
the models do not enforce (language maps, URI ids, canvas extent, list-valued properties,
rights URIs, at least one canvas). ``validate()`` raises ``AssertionError`` naming the path.
"""

from __future__ import annotations

import re

from iiif_prezi3 import Collection, Manifest

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
_LANG_KEY = re.compile(r"^([a-zA-Z-]+|none)$")


def is_lang_map(value) -> bool:
    return isinstance(value, dict) and all(
        _LANG_KEY.match(k) and isinstance(v, list) and all(isinstance(s, str) for s in v)
        for k, v in value.items()
    )


def check_presentation3(doc: dict) -> None:
    """The essential rules of the Presentation 3 JSON schema (not published in a package
    we can install; iiif-prezi3's models are generated from it and check the rest)."""

    def walk(node, path="$"):
        if isinstance(node, dict):
            if "id" in node and path != "$.@context":
                assert re.match(r"^https?://", node["id"]), f"{path}.id is not a URI"
            for key in ("label", "summary"):
                if key in node and not (key == "label" and node.get("type") == "Text"):
                    assert is_lang_map(node[key]), f"{path}.{key} is not a language map"
            for key in ("metadata",):
                for kv in node.get(key, []):
                    assert is_lang_map(kv["label"]) and is_lang_map(kv["value"])
            if "requiredStatement" in node:
                rs = node["requiredStatement"]
                assert is_lang_map(rs["label"]) and is_lang_map(rs["value"])
            if node.get("type") == "Canvas":
                assert ("width" in node) == ("height" in node), f"{path}: width without height"
                assert "width" in node or "duration" in node, f"{path}: a canvas needs extent"
            if "language" in node:
                langs = node["language"]
                assert isinstance(langs, list) and all(
                    isinstance(t, str) and _LANG_KEY.match(t) for t in langs
                ), f"{path}.language must be a list of language tags"
            if node.get("type") == "Annotation":
                assert node["motivation"] in ("painting", "supplementing")
                assert node["target"].startswith("http")
            for key in ("thumbnail", "homepage", "seeAlso", "partOf", "items", "service"):
                if key in node:
                    assert isinstance(node[key], list), f"{path}.{key} must be a list"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    assert doc["@context"] == PRESENTATION_CONTEXT
    assert doc["type"] in ("Manifest", "Collection")
    assert is_lang_map(doc["label"])
    if "rights" in doc:
        assert re.match(r"^http://(creativecommons\.org|rightsstatements\.org)/", doc["rights"])
    walk(doc)


def _without_language(node):
    # iiif-prezi3's models type ``language`` as one string where the schema has a list
    # (checked above), so the models see the document without it.
    if isinstance(node, dict):
        return {k: _without_language(v) for k, v in node.items() if k != "language"}
    if isinstance(node, list):
        return [_without_language(v) for v in node]
    return node


def validate(doc: dict) -> None:
    """The essential schema rules, then the iiif-prezi3 models (generated from the schema)."""
    check_presentation3(doc)
    body = {k: v for k, v in _without_language(doc).items() if k != "@context"}
    if doc["type"] == "Manifest":
        assert doc.get("items"), "$.items: a Manifest needs at least one Canvas"
        Manifest(**body)
    else:
        Collection(**body)
