"""Telling people from crawlers by their User-Agent, for the view counter.

Most crawlers never run the page's script, so they never reach the counter at all; the ones that
render pages (Googlebot, Bingbot, Baiduspider's renderer, link previewers) announce themselves
here. The list follows the common tokens of the public crawler lists (e.g. monperrus/crawler-user-
agents): a generic ``bot|crawl|spider`` catch plus the Chinese engines, previewers and tools.
"""

import re

CRAWLER_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|"
    r"baiduspider|yisouspider|sogou|360spider|haosouspider|bytespider|petalbot|"
    r"headlesschrome|phantomjs|lighthouse|pagespeed|python-requests|python-urllib|"
    r"curl/|wget/|httpclient|go-http-client|okhttp|java/|scrapy|feedfetcher|"
    r"wechat.*?spider|mediapartners|adsbot|apis-google|chrome-lighthouse",
    re.IGNORECASE,
)


def is_crawler(user_agent: str) -> bool:
    """True for known crawlers and for requests that name no browser at all."""
    return not user_agent or bool(CRAWLER_RE.search(user_agent))
