# Both 0009s: the image library and the view-count mark.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_cover_from_image_library"),
        ("articles", "0009_view_count_mark"),
    ]

    operations = []
