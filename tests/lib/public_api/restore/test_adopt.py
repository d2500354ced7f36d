"""Tests for crash adoption: an unconfirmed append is claimed when it fully arrived, removed when it did not."""
from lib.public_api.restore.adopt import Adopter
from lib.public_api.restore.journal import Journal
from lib.public_api.restore.plan import PlanApi

CONTAINER = "new-page"
PARAGRAPH = {"type": "paragraph", "paragraph": {"rich_text": []}}


def _interrupted_append(tmp_path, arrived, unresolved=(False, True)):
    """A journal whose last append of two blocks is unconfirmed, and an API holding `arrived` of them."""
    api, journal = PlanApi(), Journal(tmp_path / "journal")
    earlier = api.request("PATCH", f"blocks/{CONTAINER}/children", body={"children": [PARAGRAPH]})["results"]
    journal.mapped({"earlier": earlier[0]["id"]}, "append:earlier", value=[earlier[0]["id"]])
    journal.write({"op": "intent", "key": "append:last", "container": CONTAINER, "old": ["a", "b"],
                   "owner": "page", "unresolved": list(unresolved)})
    if arrived:
        api.request("PATCH", f"blocks/{CONTAINER}/children", body={"children": [PARAGRAPH] * arrived})
    return api, journal


def test_append_that_fully_arrived_is_claimed_and_journaled(tmp_path):
    api, journal = _interrupted_append(tmp_path, arrived=2)
    first, second = api.children[CONTAINER][1:]
    Adopter(api, journal).adopt()
    journal.close()
    reloaded = Journal(tmp_path / "journal")
    assert reloaded.map == {"earlier": api.children[CONTAINER][0], "a": first, "b": second}
    assert "append:last" in reloaded.done and not reloaded.intents
    assert reloaded.extra["append:last"] == [first, second]
    assert reloaded.fixups == [[second, "b", "page"]]
    assert not [step for step in api.plan if step["action"].startswith("delete")]


def test_append_that_partly_arrived_is_removed_to_be_sent_again(tmp_path):
    api, journal = _interrupted_append(tmp_path, arrived=1)
    stray = api.children[CONTAINER][1]
    Adopter(api, journal).adopt()
    assert [step for step in api.plan if step["action"].startswith("delete")] == [
        {"action": "delete blocks", "target": stray}]
    assert "append:last" not in journal.done and not journal.intents
    assert set(journal.map) == {"earlier"}


def test_append_that_never_arrived_leaves_nothing_behind(tmp_path):
    api, journal = _interrupted_append(tmp_path, arrived=0)
    Adopter(api, journal).adopt()
    assert not [step for step in api.plan if step["action"].startswith("delete")]
    assert "append:last" not in journal.done and not journal.intents
