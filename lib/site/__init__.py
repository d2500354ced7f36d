"""The offline HTML site rendered from a promoted export."""
from lib.site.build import build_site, history_cache

__all__ = ["build_site", "history_cache"]
