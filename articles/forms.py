"""The search page's parameters: ``q``, ``category`` (a slug), ``from``/``to`` (YYYY-MM-DD) and
``page``. A value the form cannot accept is a 400 page that names the problem (the view renders
the form's errors), never a silently different list and never a 500."""

from datetime import date

from django import forms
from django.core.validators import slug_re
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from hitech_portal.pagecache import kept

from .models import Category

CHOICES_SECONDS = 3600  # categories change only with a published change (which retires these)


class CategorySlugField(forms.ModelChoiceField):
    """A category by its slug. Anything that is not a slug (a NUL, which PostgreSQL refuses in a
    query) is an unknown category without asking the database."""

    def to_python(self, value):
        if value not in self.empty_values and not slug_re.fullmatch(str(value)):
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().to_python(value)


class CategorySelect(forms.Select):
    """The category ``<select>`` written directly, its options (every category, by slug) read
    once per page generation from the page store: no query and no template per option on every
    search page."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = kept(
            "category-choices",
            lambda: list(Category.objects.values_list("slug", "name")),
            CHOICES_SECONDS,
        )
        chosen = "" if value is None else str(value)
        options = [("", self.choices.field.empty_label), *choices]
        attributes = {
            key: given for key, given in self.build_attrs(self.attrs, attrs).items() if given
        }
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            flatatt(attributes),
            format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>',
                ((slug, mark_safe(" selected") if slug == chosen else "", label)
                 for slug, label in options),
            ),
        )  # fmt: skip


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        # <input type="date"> holds a real YYYY-MM-DD or nothing: a malformed date typed into the
        # address is named in the form's error message instead.
        if isinstance(value, str):
            try:
                date.fromisoformat(value)
            except ValueError:
                return None
        return super().format_value(value)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="关键词",
        required=False,
        strip=True,
        error_messages={"null_characters_not_allowed": "不能含有空字符（\\x00）。"},
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": 200, "placeholder": "例如：国家高新区 5G基站"}
        ),
    )
    category = CategorySlugField(
        Category.objects.all(),
        label="栏目",
        to_field_name="slug",
        required=False,
        empty_label="全部栏目",
        widget=CategorySelect,
        error_messages={"invalid_choice": "没有这个栏目。"},
    )
    page = forms.IntegerField(
        label="页码",
        required=False,
        min_value=1,
        error_messages={"invalid": "页码应为正整数。", "min_value": "页码应为正整数。"},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "search-%s")
        super().__init__(*args, **kwargs)
        # The parameter names are Python keywords: declared here rather than as attributes.
        for name, label in (("from", "起始日期"), ("to", "截止日期")):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=["%Y-%m-%d"],
                widget=DateInput,
                error_messages={"invalid": f"{label}应写成 2024-07-05 这样的格式。"},
            )
        self.order_fields(["q", "category", "from", "to", "page"])

    @property
    def filters(self) -> dict:
        """The search's filters from the cleaned data."""
        data = self.cleaned_data
        return {
            "category_id": data["category"].pk if data["category"] else None,
            "date_from": data["from"],
            "date_to": data["to"],
        }
