"""HTTP shared by every client: one retry policy and connect budget, answers read with a cap, the resumable download."""
from lib.http.answers import AnswerRefused, check_fields, json_of, read_capped
from lib.http.reachability import HostUnreachable, Reachability
from lib.http.resumable import CHUNK, LinkExpired, download, host_of, partial_of, verify_zip
from lib.http.retry import Retrier, RetryPolicy, retry_after_seconds

__all__ = ["AnswerRefused", "check_fields", "json_of", "read_capped", "HostUnreachable", "Reachability", "Retrier",
           "RetryPolicy", "retry_after_seconds", "CHUNK", "LinkExpired", "download", "host_of", "partial_of",
           "verify_zip"]
