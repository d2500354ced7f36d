"""Archives: safe ZIP extraction, the checks and name rules behind it, shard expansion, ZIP writing."""
from lib.archive.checks import Budget, Limits
from lib.archive.extract import extract_open, extract_zip, open_zip
from lib.archive.members import InZip
from lib.archive.shards import expand_export, renamed_map
from lib.archive.wrapper import is_shard
from lib.archive.write import assemble_parts, write_stored_wrapper, zip_tree_as_export

__all__ = ["Budget", "Limits", "InZip", "extract_open", "extract_zip", "open_zip", "expand_export", "is_shard",
           "renamed_map", "assemble_parts", "write_stored_wrapper", "zip_tree_as_export"]
