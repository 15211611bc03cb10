"""Serving stored files from views: whole, or the byte range a video player asks for.

Browsers seek in a ``<video>`` by asking for ``Range: bytes=start-end``; Django's
``FileResponse`` always sends the whole file, so a long recording served by daphne alone
could not be skipped through. One range per request is what players ask for.
"""

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse


def private_media_root() -> Path:
    """The folder of files never served from /media/ (entrants' uploads): ``PRIVATE_MEDIA_ROOT``,
    or ``private_media`` beside ``MEDIA_ROOT`` when that setting is empty."""
    configured = getattr(settings, "PRIVATE_MEDIA_ROOT", "")
    return Path(configured) if configured else Path(settings.MEDIA_ROOT).parent / "private_media"


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _chunks(handle, start: int, length: int):
    try:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def _range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a satisfiable single range, or None when it cannot be served."""
    match = RANGE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if first == "":
        if last == "" or int(last) == 0:
            return None
        return max(size - int(last), 0), size - 1  # the last N bytes
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return None
    return start, end


def ranged_file_response(request: HttpRequest, field_file, *, content_type: str) -> HttpResponse:
    """The file of ``field_file``, whole (200) or the requested byte range (206; 416 when unsatisfiable)."""
    size = field_file.size
    header = request.headers.get("Range", "")
    if not header:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
    else:
        wanted = _range(header, size)
        if wanted is None:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        start, end = wanted
        response = StreamingHttpResponse(
            _chunks(field_file.open("rb"), start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response
