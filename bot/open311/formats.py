"""A GeoReport v2 document as JSON or XML, and the standard's errors.

The XML follows the standard's examples: a list's root is the plural (`services`,
`service_requests`, `errors`, `discovery`), each item its singular (`service`, `request`,
`error`, `endpoint`, `format`, `attribute`, `value`); mySociety's extension names its
list `service_request_updates` of `request_update`; `None` is an empty element.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from starlette.responses import Response

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = {"json": JSON_TYPE, "xml": XML_TYPE}
SINGULAR = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, SINGULAR.get(element.tag, "item")), item)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, document)
    return bytes(ET.tostring(element, encoding="utf-8", xml_declaration=True))


def render(fmt: str, root: str, document: Any, status: int = 200) -> Response:
    """`document` as `fmt` ("json" or "xml"); `root` names the XML root element."""
    if fmt == "xml":
        return Response(to_xml(root, document), status, media_type=XML_TYPE)
    body = json.dumps(document, ensure_ascii=False).encode()
    return Response(body, status, media_type=JSON_TYPE)


def error(fmt: str, status: int, description: str) -> Response:
    """The standard's error document: a list of {code, description}."""
    return render(
        fmt if fmt in FORMATS else "json",
        "errors",
        [{"code": status, "description": description}],
        status,
    )
