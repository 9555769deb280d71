"""The figure suggestions panel's one write: take a suggested figure as an observation, or set
it aside (:mod:`indicators.suggestions` decides what and who)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from articles import public_changes
from articles.models import Article

from . import suggestions


@require_POST
def suggestion_view(request, article_id):
    article = get_object_or_404(Article, pk=article_id)
    article_admin = admin.site.get_model_admin(Article)
    if not article_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    back = redirect("admin:articles_article_change", article.pk)
    action, _, rest = request.POST.get("suggestion", "").partition(":")
    key, _, indicator_id = rest.partition(":")
    found = {s.key: s for s in suggestions.suggestions_for(article)}.get(key)
    if found is None:
        messages.warning(request, "这个数字已不在文章里，或已被处理。")
        return back
    if action == "dismiss":
        if error := suggestions.dismiss_error(request.user):
            raise PermissionDenied(error)
        suggestions.dismiss(article, found, request.user)
        messages.success(request, f"已忽略“{found.figure.text}”。")
        return back
    candidate = next((c for c in found.candidates if str(c.indicator.pk) == indicator_id), None)
    if action != "take" or candidate is None:
        messages.warning(request, "这个指标不在建议之列。")
        return back
    if error := suggestions.write_error(request.user, candidate, article):
        raise PermissionDenied(error)
    try:
        with transaction.atomic(), public_changes.collected(user=request.user, how="采用数字"):
            observation = suggestions.take(article, found, candidate, request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return back
    messages.success(
        request,
        f"已录入：{observation.indicator} {observation.period} {observation.region} = "
        f"{observation.display_value} {observation.indicator.unit}".rstrip(),
    )
    return back
