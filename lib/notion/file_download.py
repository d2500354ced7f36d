"""The cookie export's download: the shared streaming download, with the file host's refusals explained."""
from lib.http.resumable import CHUNK, LinkExpired, partial_of, verify_zip
from lib.http.resumable import download as stream_download
from lib.core.errors import ExportError
from lib.notion.http import describe

__all__ = ["CHUNK", "LinkExpired", "download", "partial_of", "refusal", "verify_zip"]


def refusal(http, response):
    """Turn a non-2xx answer of Notion's file host into the error that names it (None when worth a retry)."""
    status, text = response.status_code, describe(response)
    if status == 403:
        source = ("none was configured and Notion set none" if not http.file_token else
                  "the one sent was rejected")
        return ExportError(f"download refused: {text} (the file_token cookie is needed; {source})",
                           hint="set NATIVE_EXPORT_FILE_TOKEN from the browser (README: Refreshing cookies)")
    if status in (400, 410):
        return LinkExpired(f"download link rejected: {text} (expired or invalid signed link)",
                           hint="a fresh export is needed; re-run the export stage")
    if status >= 500 or status == 429:
        return None
    return ExportError(f"download failed: {text}", hint="re-run the export stage")


def download(http, url, dest):
    """Stream Notion's export link to `dest` (resumable, checked) with the cookies `http` gives its host."""
    return stream_download(http, url, dest, lambda response: refusal(http, response))
