"""The Content-Security-Policy's one inline exception (``CONTENT_SECURITY_POLICY`` in settings)."""

from django import template
from js_asset import Media

register = template.Library()


@register.filter
def with_csp_nonce(media, nonce):
    """A form's media with the request's CSP nonce on its tags: the prose editor's import map is
    an inline ``<script type="importmap">``, which the policy runs only with the nonce."""
    return Media.from_media(media, nonce=str(nonce))
