from rest_framework.renderers import BrowsableAPIRenderer


class BrowsablePage(BrowsableAPIRenderer):
    """Django REST framework's browsable page, without the inline ``<style>`` it adds when
    Pygments is installed (colours for code in Markdown descriptions, which ours do not have):
    no page of the site carries inline styles (a strict Content-Security-Policy)."""

    def get_context(self, *args, **kwargs):
        context = super().get_context(*args, **kwargs)
        context["code_style"] = None
        return context
