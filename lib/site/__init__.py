"""The offline HTML site rendered from a promoted export."""
from lib.site.build import build_site, history_cache
from lib.site.site_manifest import output_files, site_facts, write_site_manifest

__all__ = ["build_site", "history_cache", "output_files", "site_facts", "write_site_manifest"]
