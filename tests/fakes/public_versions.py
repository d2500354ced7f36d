"""How the public-API stand-in's answers differ by Notion-Version (pages in lists, people, Markdown versions)."""
from urllib.parse import unquote

from tests.fakes.public_writes import ApiError, invalid

TITLE_ONLY_LISTS = "2026-12-01"   # Search and Query a data source: the title only, unless filter_properties
NULL_PERSON_NAMES = "2026-12-01"  # a person's name may be null
V2_DEFAULT = "2099-01-01"         # the version after 2026-12-01: v2 by default, v1 refused


def wanted_properties(params):
    """The property ids `filter_properties` names (None when absent), as ids the store keeps."""
    names = params.get("filter_properties")
    if names is None:
        return None
    return {unquote(name) for name in ([names] if isinstance(names, str) else names)}


def shape_page(fake, page, params, listed):
    """A page object as this request's Notion-Version gives it: in a list or asked with filter_properties,
    only the properties named (always the title on 2026-12-01 lists); people with or without names."""
    if page.get("object") != "page":
        return page
    wanted = wanted_properties(params)
    if wanted is None and listed and fake.version >= TITLE_ONLY_LISTS:
        wanted = set()
    if wanted is not None:
        page["properties"] = {name: prop for name, prop in page["properties"].items()
                              if prop["type"] == "title" or prop["id"] in wanted}
    for prop in page["properties"].values():
        if prop["type"] == "people":
            prop["people"] = [person_value(fake, p) for p in prop["people"]]
    return page


def person_value(fake, person):
    """A user as a people property holds it: named before 2026-12-01, `name: null` from it on."""
    user = fake.store.users.get(person.get("id")) or {}
    name = None if fake.version >= NULL_PERSON_NAMES else user.get("name")
    return {"object": "user", "id": person["id"], "name": name, "avatar_url": None,
            "type": user.get("type", "person"), "person": dict(user.get("person") or {})}


def markdown_version(fake, requested):
    """The Markdown version an answer uses: the one asked for, else the version's default; v1 refused where Notion
    refuses it."""
    if requested not in (None, "v1", "v2"):
        invalid("markdown_version", "`v1` or `v2`", requested)
    if requested == "v1" and fake.version >= V2_DEFAULT:
        raise ApiError(400, "validation_error", "body failed validation: markdown_version `v1` is no longer "
                       "supported in this Notion-Version; use `v2`.")
    return requested or ("v2" if fake.version >= V2_DEFAULT else "v1")
