"""Archives: safe ZIP extraction, the checks and name rules behind it, shard expansion, ZIP writing."""
from lib.archive.checks import Limits
from lib.archive.extract import extract_zip
from lib.archive.shards import expand_export, renamed_map
from lib.archive.write import assemble_parts, write_stored_wrapper, zip_tree_as_export

__all__ = ["Limits", "extract_zip", "expand_export", "renamed_map", "assemble_parts", "write_stored_wrapper",
           "zip_tree_as_export"]
