"""标签 on the article form: existing tags picked from the autocomplete, new ones typed by name.

As in WordPress, an editor types a tag that does not exist yet and it exists once the article is
saved. The box is the admin's autocomplete over existing tags with select2's ``tags`` option
(``data-tags``): a name ended by Enter or a separator (those :func:`articles.models.split_terms`
reads in the import's 标签 column) becomes a choice of its own. An existing tag comes back as its
id, a new name as ``new:名称`` (``static/js/admin/tag-field.js``), so a tag called "2024" is not
taken for the tag whose id is 2024; a value that is not an id is read as a name too (a form
posted without JavaScript).

Validating the form creates nothing: :func:`create_typed_tags` does, when the form is saved.
"""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple

from .models import TERM_SEPARATORS, Article, Tag, split_terms

NEW_PREFIX = "new:"
SEPARATORS = [",", *(chr(code) for code in TERM_SEPARATORS)]
NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length


def _typed_name(value: str) -> str | None:
    """The name in a submitted value, or None for an existing tag's id."""
    if value.startswith(NEW_PREFIX):
        return value.removeprefix(NEW_PREFIX)
    return None if value.isdigit() else value


class TagWidget(AutocompleteSelectMultiple):
    def __init__(self, attrs=None):
        super().__init__(Article._meta.get_field("tags"), admin.site, attrs)

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-tags"] = "true"
        attrs["data-token-separators"] = json.dumps(SEPARATORS, ensure_ascii=False)
        return attrs

    def optgroups(self, name, value, attr=None):
        # The autocomplete shows the chosen tags it finds by id; names typed but not yet saved
        # (the form came back with an error elsewhere) are kept as typed.
        ids = [item for item in value if _typed_name(item) is None]
        groups = super().optgroups(name, ids, attr)
        options = groups[0][1]
        for item in value:
            if _typed_name(item):
                options.append(
                    self.create_option(name, item, _typed_name(item), True, len(options))
                )
        return groups

    @property
    def media(self):
        # Named after autocomplete.js (after select2) so that merging keeps it there; it runs
        # before the page is ready, when autocomplete.js starts select2.
        after = forms.Media(js=["admin/js/autocomplete.js", "js/admin/tag-field.js"])
        return super().media + after


class TagField(forms.ModelMultipleChoiceField):
    """Cleans to a list of tags: those that exist, and unsaved ``Tag`` rows for new names."""

    widget = TagWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "标签")
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "输入文字可选择已有标签；新标签输入后按回车或逗号，保存文章时自动创建。",
        )
        super().__init__(Tag.objects.all(), **kwargs)

    def clean(self, value):
        ids, names = [], []
        for item in value or []:
            name = _typed_name(str(item).strip())
            if name is None:
                ids.append(str(item).strip())
            else:
                names.extend(split_terms(name))
        if self.required and not ids and not names:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for name in names:
            if len(name) > NAME_MAX_LENGTH:
                raise forms.ValidationError(
                    f"标签「{name}」超过 {NAME_MAX_LENGTH} 字", code="max_length"
                )
        chosen = {tag.name: tag for tag in super().clean(ids)} if ids else {}
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
        for name in names:
            chosen.setdefault(name, existing.get(name) or Tag(name=name))
        return list(chosen.values())


def create_typed_tags(tags: list[Tag]) -> list[Tag]:
    """The tags with the new ones created (slug in pinyin, by ``Tag.save``); ``get_or_create``
    because another editor may have created the same tag meanwhile."""
    return [tag if tag.pk else Tag.objects.get_or_create(name=tag.name)[0] for tag in tags]
