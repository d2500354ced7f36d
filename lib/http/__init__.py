"""HTTP shared by every client: the resumable download."""
from lib.http.resumable import CHUNK, LinkExpired, download, host_of, partial_of, verify_zip

__all__ = ["CHUNK", "LinkExpired", "download", "host_of", "partial_of", "verify_zip"]
