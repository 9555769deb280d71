"""The image library's background job: making an image's renditions (about a second for a
6000×4000 JPEG, sixteen files) in a worker rather than in the editor's upload.

Until the job has run, pages show the original with its width and height
(:func:`images.html.picture`), so nothing shifts when the renditions arrive; a new focal point
keeps the previous renditions on the pages until the new ones exist.
"""

from django_tasks import task

from .models import Image
from .renditions import generate_renditions, rendition_key


@task()
def make_renditions(image_id: int, key: str) -> str:
    """Make the renditions of image ``image_id`` for ``key`` (its content and focal point when
    the job was queued). A job whose image has moved on since (deleted, a newer focal point with
    a job of its own) does nothing; one stopped halfway wrote no row and is simply run again."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return "deleted"
    if rendition_key(image) != key:
        return "superseded"
    if image.renditions.get("key") == key:
        return "made already"
    generate_renditions(image)
    image.save(update_fields=["renditions"])  # and the cached pages showing it are retired
    return key
