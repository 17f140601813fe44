"""XML from LAN devices, parsed with defusedxml under our own size, element-count and depth caps.

defusedxml forbids entities, DTDs and external references (billion laughs, XXE), but it has no size or
depth cap: it parses a 200 000-deep tree or a 16 MB document (docs/hostile-input.md#limits). So the document
is
refused above ``max_bytes`` before parsing, and the tree is built through a counting target that stops
the parser the moment it passes ``max_elements`` elements or ``max_depth`` levels, while the document is
still streaming through expat (no tree deeper than the cap is ever built, no recursion anywhere).

Run :func:`parse_capped` (or the parsers built on it) in ``ctx.parse_untrusted``: it is CPU-bound work on
hostile bytes.

```xml
<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName>Router</friendlyName></device></root>
```
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from homediag.net.errors import ParseError

MAX_XML_BYTES = 1024 * 1024
MAX_ELEMENTS = 50_000
MAX_DEPTH = 32
FEED_CHUNK = 64 * 1024


class UpnpXmlError(ParseError):
    """The document was refused (too large, too deep, entities, DTD) or is not well-formed XML."""


class _CappedBuilder:
    """A tree-builder target that counts elements and depth and stops the parse past the caps."""

    def __init__(self, max_elements: int, max_depth: int) -> None:
        self._builder = ET.TreeBuilder()
        self._max_elements = max_elements
        self._max_depth = max_depth
        self.elements = 0
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.elements += 1
        self.depth += 1
        if self.elements > self._max_elements:
            raise UpnpXmlError(f"more than {self._max_elements} elements")
        if self.depth > self._max_depth:
            raise UpnpXmlError(f"nested deeper than {self._max_depth} levels")
        return self._builder.start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return self._builder.end(tag)

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> ET.Element:
        return self._builder.close()


def parse_capped(
    data: bytes,
    *,
    max_bytes: int = MAX_XML_BYTES,
    max_elements: int = MAX_ELEMENTS,
    max_depth: int = MAX_DEPTH,
) -> ET.Element:
    """The root element of ``data``; raise ``UpnpXmlError`` for anything refused or malformed."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    if len(data) > max_bytes:
        raise UpnpXmlError(f"document larger than {max_bytes} bytes")
    if not data.strip():
        raise UpnpXmlError("empty document")
    target = _CappedBuilder(max_elements, max_depth)
    parser = DET.DefusedXMLParser(target=target, forbid_dtd=True)
    try:
        for start in range(0, len(data), FEED_CHUNK):
            parser.feed(data[start : start + FEED_CHUNK])
        root: ET.Element = parser.close()
    except UpnpXmlError:
        raise
    except DefusedXmlException as exc:
        raise UpnpXmlError(f"forbidden XML construct: {type(exc).__name__}") from None
    except ET.ParseError as exc:
        raise UpnpXmlError(f"not well-formed XML: {exc}"[:200]) from None
    except (ValueError, LookupError, UnicodeError) as exc:  # bad encoding declarations
        raise UpnpXmlError(f"unreadable XML: {type(exc).__name__}") from None
    return root


def local_name(tag: object) -> str:
    """``{urn:schemas-upnp-org:device-1-0}friendlyName`` -> ``friendlyName`` (comments -> ``""``)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Direct children of ``element`` whose local name is ``name`` (namespaces ignored)."""
    return (child for child in element if local_name(child.tag) == name)


def child(element: ET.Element, name: str) -> ET.Element | None:
    """The first direct child called ``name``, or None."""
    return next(children(element, name), None)


def iter_named(root: ET.Element, name: str) -> Iterator[ET.Element]:
    """Every element called ``name`` under ``root`` (an iterative walk; the tree is already capped)."""
    return (element for element in root.iter() if local_name(element.tag) == name)


def clean_value(text: str | None, max_chars: int = 256) -> str | None:
    """Element text stripped, control characters removed, capped; None when empty."""
    if text is None:
        return None
    cleaned = "".join(ch for ch in text.strip() if ch.isprintable())[:max_chars]
    return cleaned or None


def child_text(element: ET.Element, name: str, max_chars: int = 256) -> str | None:
    """The cleaned text of the first child called ``name``."""
    found = child(element, name)
    return None if found is None else clean_value(found.text, max_chars)
