"""Private file storage for patient documents."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """A directory outside every served path. Its files have no URL: they reach people only
    through views that check who is asking and write the access log."""

    def url(self, name: str | None) -> str:
        raise ValueError("Patient documents have no public URL; serve them through a view.")
