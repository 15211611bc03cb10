"""Where entrants' files live: outside MEDIA_ROOT, so /media/ never serves them.

Pitch decks, logos, photos and answer files are read only through the permission-checked
download view. The folder is ``PRIVATE_MEDIA_ROOT``, or ``private_media`` beside
``MEDIA_ROOT`` when that setting is empty.
"""

import os

from django.core.files.storage import FileSystemStorage

from core.files import private_media_root as private_root


class PrivateStorage(FileSystemStorage):
    """File system storage with no public URL whose folder follows the settings at call time."""

    @property
    def base_location(self):
        return str(private_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public address; use the download view.")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """Callable used by the model fields (keeps the folder out of migrations)."""
    return _private_storage
