"""XML Schemas vendored for the tests (see SOURCES.md), loaded offline."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

HERE = Path(__file__).parent
#: Official schema URLs → the files here.
LOCAL = {
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": HERE / "oai_dc.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": HERE / "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": HERE / "xml-lang.xsd",
}


class _Offline(etree.Resolver):
    def resolve(self, url, pubid, context):
        local = LOCAL.get(url)
        if local is None and Path(url).parent == HERE:
            return None  # a file here: lxml reads it itself
        if local is None:
            raise OSError(f"a schema asked for {url}, which is not vendored in tests/xsd")
        return self.resolve_filename(str(local), context)


def schema(name: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Offline())
    return etree.XMLSchema(etree.parse(str(HERE / name), parser))
