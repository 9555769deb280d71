"""The admin index's 待办: what waits for the person looking (articles.workflow.awaiting)."""

from django import template

from ..workflow import awaiting

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_review(context):
    """``{% awaiting_review as waiting %}``: counts of 待审, 待审修改 and what was sent back."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    return awaiting(request.user)
