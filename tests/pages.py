"""Reading a rendered page the way a browser or a crawler does (for the 简繁 and cache tests)."""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    html_lang: str | None = None
    canonical: str | None = None
    alternates: dict = field(default_factory=dict)  # hreflang → href
    anchors: list = field(default_factory=list)  # (attributes, text)
    addresses: list = field(default_factory=list)  # (tag, attribute, value) of href/src/action
    jsonld: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # name or property → content
    title: str = ""

    @property
    def switch(self) -> dict:
        """The 简体 / 繁體 switch: hreflang → (href, text, attributes)."""
        return {
            attrs["hreflang"]: (attrs["href"], text, attrs)
            for attrs, text in self.anchors
            if "hreflang" in attrs
        }


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._anchor = None
        self._jsonld = None
        self._title = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        page = self.page
        if tag == "html":
            page.html_lang = attrs.get("lang")
        elif tag == "link" and attrs.get("rel") == "canonical":
            page.canonical = attrs.get("href")
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            page.alternates[attrs["hreflang"]] = attrs.get("href")
        elif tag == "meta" and "content" in attrs:
            page.meta[attrs.get("name") or attrs.get("property")] = attrs["content"]
        elif tag == "a":
            self._anchor = (attrs, [])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._jsonld = []
        elif tag == "title":
            self._title = []
        for name in ("href", "src", "action"):
            if name in attrs:
                page.addresses.append((tag, name, attrs[name]))

    def handle_endtag(self, tag):
        if tag == "a" and self._anchor:
            attrs, text = self._anchor
            self.page.anchors.append((attrs, "".join(text).strip()))
            self._anchor = None
        elif tag == "script" and self._jsonld is not None:
            self.page.jsonld.append(json.loads("".join(self._jsonld)))
            self._jsonld = None
        elif tag == "title" and self._title is not None:
            self.page.title = "".join(self._title)
            self._title = None

    def handle_data(self, data):
        for sink in (self._anchor and self._anchor[1], self._jsonld, self._title):
            if sink is not None and sink is not False:
                sink.append(data)


def parse(response) -> Page:
    parser = _Parser()
    parser.feed(response.content.decode())
    parser.close()
    return parser.page
