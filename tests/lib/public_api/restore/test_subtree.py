"""Restoring one page's subtree: it and what lies below it, nothing else; links out of it lead to the live pages
while they exist, and are reported when they do not."""
import shutil

import pytest

from lib.core.errors import ConfigError
from lib.public_api.capture import capture_workspace
from lib.public_api.restore.restorer import DirSource, restore_snapshot
from lib.public_api.restore.captured import Snapshot
from tests.fakes.notion_public import FakeNotionPublic, api_settings
from tests.scenarios.history import public_trash, restored_titles


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    where = tmp_path_factory.mktemp("subtree") / "capture"
    with FakeNotionPublic(extra_pages=2) as fake:
        capture_workspace(api_settings(fake), where)
    return where


@pytest.fixture
def stand_in(tmp_path, capture):
    shutil.copytree(capture, tmp_path / "capture")
    with FakeNotionPublic(extra_pages=2) as fake:
        yield fake, tmp_path


def created(fake):
    return sum(1 for r in fake.requests if r["method"] == "POST" and r["path"] in ("/v1/pages", "/v1/databases"))


def test_the_subtree_is_the_page_and_everything_below_it(capture):
    snapshot = Snapshot(DirSource(capture))
    notes = snapshot.find("Notes")
    titles = sorted(snapshot.objects[o]["title"] for o in snapshot.subtree(notes))
    assert titles == ["Deep", "Deeper", "Filler 0000", "Filler 0001", "Notes"]
    home = snapshot.find("Home")
    assert len(snapshot.subtree(home)) > 30 and snapshot.subtree(notes) < snapshot.subtree(home)
    assert snapshot.find(f"https://www.notion.so/Notes-{notes.replace('-', '')}") == notes
    with pytest.raises(ConfigError, match="no page or database with that id, URL or title"):
        snapshot.find("Nope")


def test_one_page_is_restored_alone_and_links_out_lead_to_live_pages(stand_in):
    fake, tmp = stand_in
    report = restore_snapshot(api_settings(fake), DirSource(tmp / "capture"), fake.empty_page_id, tmp / "journal",
                              page="Notes")
    assert restored_titles(fake, fake.empty_page_id) == ["Deep", "Deeper", "Filler 0000", "Filler 0001", "Notes"]
    assert created(fake) == 5 and report["created"]["pages"] == 5
    assert report["page"].startswith("Notes (")
    notes = next(c for c in fake.store.live_children(fake.empty_page_id))
    links = [fake.store.objects[c] for c in fake.store.live_children(notes)]
    assert any(b.get("type") == "link_to_page" and b["link_to_page"]["page_id"] == fake.ids["home"] for b in links)
    assert not any("not restored" in loss["detail"] for loss in report["losses"] if loss["kind"] == "link")


def test_a_link_to_a_page_gone_from_the_workspace_is_reported(stand_in):
    fake, tmp = stand_in
    public_trash(fake, "Home")       # everything but the restore target is gone
    report = restore_snapshot(api_settings(fake), DirSource(tmp / "capture"), fake.empty_page_id, tmp / "journal",
                              page="Notes")
    assert created(fake) == 5
    assert any(loss["kind"] == "link" for loss in report["losses"]), report["losses"]
    notes = next(c for c in fake.store.live_children(fake.empty_page_id))
    links = [fake.store.objects[c] for c in fake.store.live_children(notes)]
    assert not any(b.get("type") == "link_to_page" and b["link_to_page"].get("page_id") == fake.ids["home"]
                   for b in links)
