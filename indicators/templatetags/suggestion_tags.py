from django import template

from indicators import suggestions

register = template.Library()


@register.inclusion_tag("admin/indicators/figure_suggestions.html", takes_context=True)
def figure_suggestions(context, article):
    """The panel under an article's admin form: four queries whatever the article holds."""
    user = context["request"].user
    if article is None or not user.has_perm("indicators.view_observation"):
        return {"show": False}
    rows = [
        (
            suggestion,
            [(c, suggestions.write_error(user, c, article)) for c in suggestion.candidates],
        )
        for suggestion in suggestions.suggestions_for(article)
    ]
    return {
        "show": True,
        "article": article,
        "rows": rows,
        "may_dismiss": suggestions.dismiss_error(user) is None,
        "csrf_token": context.get("csrf_token"),
    }
