"""Drive the article admin the way a browser would: forms start from what the page shows."""

import datetime

from django import forms
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_category


def _value(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_value(item) for item in value]
    if value is None:
        return ""
    return value


def _form_fields(form, data):
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field, forms.FileField):
            continue  # nothing uploaded: the stored file stays
        if isinstance(field, forms.SplitDateTimeField):
            if isinstance(value, datetime.datetime):
                local = timezone.localtime(value)
                data[f"{key}_0"], data[f"{key}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
            else:
                data[f"{key}_0"] = data[f"{key}_1"] = ""
            continue
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[key] = _value(value or [])
        elif value is True:
            data[key] = "on"
        elif value is not False:
            data[key] = _value(value)


def changeform_data(response, **overrides) -> dict:
    """The POST data of the admin add/change form in ``response``, as currently shown.

    Inline formsets keep their existing rows and drop the empty "extra" ones. ``overrides``
    replace or add fields (``published_at_0``/``_1`` for split date-times).
    """
    data = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        for form in formset.initial_forms:
            _form_fields(form, data)
    data.update(overrides)
    return data


def split_datetime(value: datetime.datetime, name="published_at") -> dict:
    local = timezone.localtime(value)
    return {f"{name}_0": f"{local:%Y-%m-%d}", f"{name}_1": f"{local:%H:%M:%S}"}


CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def post_change(client, article, **overrides):
    data = changeform_data(client.get(change_url(article)), **overrides)
    return client.post(change_url(article), data)


def post_add(client, **overrides):
    fields = {"title": "新园区揭牌", "category": make_category().pk, "body": "<p>正文</p>"}
    data = changeform_data(client.get(ADD), **(fields | overrides))
    return client.post(ADD, data)


def post_action(client, action, articles, follow=False, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in articles], "index": 0}
    return client.post(CHANGELIST, data | extra, follow=follow)
