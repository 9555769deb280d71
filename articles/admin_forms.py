"""Admin forms: the rich-text body editor, pinyin slugs, related-article checks.

The editor offers only what :mod:`articles.sanitize` keeps (h2–h4, paragraphs, lists, tables,
links, figures, emphasis, quotations), and what it submits goes through that same
``sanitize_html`` before it is stored: the browser is never trusted with the allow-list.
"""

import re

from django import forms
from django.db import models
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from .models import Article
from .revisions import conflict
from .sanitize import sanitize_html
from .slugs import unique_slug
from .tag_field import TagField, create_typed_tags

# The toolbar, one row of language-neutral buttons (the package's labels are English).
BODY_MENU_GROUPS = [
    {"group": "blockType -lists"},
    {"group": "lists"},
    {"group": "nodes -blockType -lists"},
    {"group": "marks"},
    {"group": "link"},
    {"group": "table"},
    {"group": "history"},
    {"group": "utility"},
]
BODY_EXTENSIONS = {
    "Menu": {"groups": BODY_MENU_GROUPS},
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "Figure": True,
    "Caption": True,
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
    "HTML": True,
}
_EMPTY_BLOCK = re.compile(r"^(<p>(\s|<br>)*</p>\s*)*$")


def clean_body(html: str) -> str:
    """The one allow-list, and an untouched editor (one empty paragraph) saved as empty."""
    html = sanitize_html(html)
    return "" if _EMPTY_BLOCK.match(html) else html


class BodyEditorWidget(AdminProseEditorWidget):
    class Media:
        # Chinese for the editor's dialogs, through the admin's own JavaScript catalogue; pictures
        # pasted or dropped into the body go to the image library first.
        js = ["js/admin/prose-editor-zh.js", "js/admin/body-images.js"]


class AutoSlugForm(forms.ModelForm):
    """Slug optional: left blank, it is made from the name in pinyin (unique)."""

    slug_source = "name"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields[
                "slug"
            ].help_text = "用于网址，只用英文字母、数字和连字符；留空则按名称自动生成拼音"

    def clean(self):
        cleaned = super().clean()
        if "slug" in self.fields and not cleaned.get("slug") and cleaned.get(self.slug_source):
            cleaned["slug"] = unique_slug(
                self._meta.model, cleaned[self.slug_source], exclude_pk=self.instance.pk
            )
        return cleaned


def assume_https(db_field, **kwargs):
    """A link typed without a scheme (``www.gov.cn/…``) is taken as https, Django 6's default."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class ArticleAdminForm(forms.ModelForm):
    """The article form. It carries the version it was opened on: a save over a newer version
    (someone saved in between) is refused with who did it and what they changed."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    body = ProseEditorFormField(
        label="正文",
        required=False,
        config={"extensions": BODY_EXTENSIONS},
        sanitize=clean_body,
        widget=BodyEditorWidget,
        help_text="保存时按白名单清理：不会保留脚本、内嵌框架、事件属性和 javascript: 链接",
    )
    tags = TagField()  # new tags typed by name are created when the article is saved

    class Meta:
        model = Article
        fields = [
            "title", "subtitle", "category", "status", "published_at", "expires_at",
            "is_headline", "is_featured", "is_pinned", "body", "summary", "keywords",
            "source", "author", "source_url", "tags", "related", "cover_image",
        ]  # fmt: skip
        formfield_callback = assume_https

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version
        # An 编辑 continuing their pending change of a published article sees its tags and links.
        for name, value in getattr(self.instance, "_pending_m2m", {}).items():
            if name in self.fields:
                self.initial[name] = value

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_version")
        if self.instance.pk and opened is not None:
            current = Article.objects.select_for_update().filter(pk=self.instance.pk).first()
            if current is not None and current.version != opened:
                self.conflict = conflict(current, opened)
                raise forms.ValidationError(self.conflict.message, code="stale")
        return cleaned

    def proposed_values(self, stored: Article) -> dict:
        """What this form would change on ``stored``: each field whose value differs (the
        many-to-many ones by their members: tags by name, related articles by id)."""
        values = {}
        for name, value in self.cleaned_data.items():
            if name == "opened_version" or name not in self._meta.fields:
                continue
            if name == "tags":
                names = sorted(tag.name for tag in value)
                if names != sorted(stored.tags.values_list("name", flat=True)):
                    values["tags"] = names
            elif name == "related":
                ids = sorted(article.pk for article in value)
                if ids != sorted(stored.related.values_list("pk", flat=True)):
                    values["related"] = ids
            elif getattr(stored, Article._meta.get_field(name).attname) != getattr(
                value, "pk", value
            ):
                values[name] = value
        return values

    def save(self, commit=True):
        if "tags" in self.cleaned_data:
            self.cleaned_data["tags"] = create_typed_tags(self.cleaned_data["tags"])
        return super().save(commit)

    def clean_related(self):
        related = self.cleaned_data.get("related")
        if (
            related is not None
            and self.instance.pk
            and related.filter(pk=self.instance.pk).exists()
        ):
            raise forms.ValidationError("不能把本文设为自己的相关文章。", code="self_related")
        return related
