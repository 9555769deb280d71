"""The two editorial roles, kept in step with the code after every ``migrate``.

编辑 (editor) writes and edits but cannot publish; 主编 (chief editor) may publish. The admin
checks ``articles.publish_article`` on the server, so hiding a button is not the only guard.
"""

from django.contrib.auth.models import Group, Permission

EDITOR = "编辑"
CHIEF_EDITOR = "主编"

EDITOR_PERMISSIONS = [
    "articles.view_category",
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.add_tag",
    "articles.view_tag",
    "articles.add_faq",
    "articles.change_faq",
    "articles.delete_faq",
    "articles.view_faq",
    "indicators.view_indicator",
    "indicators.add_observation",
    "indicators.change_observation",
    "indicators.view_observation",
    # Aliases only help the figure suggestions find indicators: an 编辑 keeps them.
    "indicators.add_indicatoralias",
    "indicators.change_indicatoralias",
    "indicators.delete_indicatoralias",
    "indicators.view_indicatoralias",
    "hitech_portal.view_importrecord",
    "images.add_image",
    "images.change_image",
    "images.view_image",
]
CHIEF_EDITOR_PERMISSIONS = EDITOR_PERMISSIONS + [
    "articles.publish_article",
    "articles.delete_article",
    "articles.add_category",
    "articles.change_category",
    # A renamed tag reads differently in every published article that carries it: a 主编's.
    "articles.change_tag",
    "articles.delete_tag",
    "indicators.add_indicator",
    "indicators.change_indicator",
    "indicators.delete_observation",
    "images.delete_image",
]


def _permissions(names):
    wanted = {tuple(name.split(".")) for name in names}
    found = [
        perm
        for perm in Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted}
        )
        if (perm.content_type.app_label, perm.codename) in wanted
    ]
    return found


def ensure_groups(**kwargs):
    """post_migrate handler: create both groups and give them exactly their permissions."""
    for name, perms in [(EDITOR, EDITOR_PERMISSIONS), (CHIEF_EDITOR, CHIEF_EDITOR_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(perms))
