"""FakeNotion validates payloads the way Notion does, so a client that drifts from the protocol fails here."""
import time

import requests

from tests.fakes.notion_internal import FakeNotion


def _post(fake, endpoint, body, token=None):
    return requests.post(f"{fake.api_url}/api/v3/{endpoint}", json=body, timeout=5,
                         headers={"Cookie": f"token_v2={token or fake.token_v2}"})


def _enqueue(fake, request, event="exportSpace"):
    return _post(fake, "enqueueTask", {"task": {"eventName": event, "request": request}})


def _final(fake, task_id, deadline_s=30):
    """Poll like a client does: the ZIP is built in the background, so a slow machine needs more polls."""
    end = time.monotonic() + deadline_s
    while True:
        task = _post(fake, "getTasks", {"taskIds": [task_id]}).json()["results"][0]
        if task.get("state") in ("failure", "retryable_failure", "success") or time.monotonic() > end:
            return task
        time.sleep(0.05)


def test_payload_validation():
    with FakeNotion() as fake:
        space = fake.workspace.space_id
        good = {"spaceId": space, "shouldExportComments": False,
                "exportOptions": {"exportType": "markdown", "timeZone": "UTC", "locale": "en"}}
        assert _final(fake, _enqueue(fake, good).json()["taskId"])["state"] == "success"
        upper = dict(good, exportOptions={"exportType": "MARKDOWN", "timeZone": "UTC", "locale": "en"})
        no_comments = {k: v for k, v in good.items() if k != "shouldExportComments"}
        undashed = dict(good, spaceId=space.replace("-", ""))
        for bad, error in ((upper, "Invalid input."), (no_comments, "Invalid input."),
                           (undashed, "User cannot access space, or it does not exist.")):
            task = _final(fake, _enqueue(fake, bad).json()["taskId"])
            assert (task["state"], task["error"]) == ("failure", error)
        assert _enqueue(fake, dict(good, blockId=space), "exportBlock").status_code == 400
        assert _post(fake, "getNotificationLogV2", {"spaceId": space}).status_code == 400
        assert _post(fake, "getTasks", {"taskIds": ["unknown"]}).json() == {"results": []}


def test_first_task_record_has_no_state_then_progress_grows():
    with FakeNotion(export_polls=3) as fake:
        body = {"spaceId": fake.workspace.space_id, "shouldExportComments": False,
                "exportOptions": {"exportType": "markdown", "timeZone": "UTC", "locale": "en"}}
        task_id = _enqueue(fake, body).json()["taskId"]
        seen = [_post(fake, "getTasks", {"taskIds": [task_id]}).json()["results"][0] for _ in range(6)]
        assert "state" not in seen[0] and seen[1]["state"] == "not_started"
        progress = [t["status"]["pagesExported"] for t in seen[2:5]]
        assert seen[2]["state"] == "in_progress" and progress == sorted(progress) and progress[0] < progress[-1]
        final = _final(fake, task_id)
        assert final["state"] == "success" and "exportURL" not in final["status"]


def test_download_needs_the_file_token_and_honours_range():
    with FakeNotion(link_via="status") as fake:
        body = {"spaceId": fake.workspace.space_id, "shouldExportComments": False,
                "exportOptions": {"exportType": "markdown", "timeZone": "UTC", "locale": "en"}}
        link = _final(fake, _enqueue(fake, body).json()["taskId"])["status"]["exportURL"]
        denied = requests.get(link, timeout=5)
        assert denied.status_code == 403 and "Access denied!" in denied.text
        cookie = {"Cookie": f"file_token={fake.file_token}"}
        whole = requests.get(link, headers=cookie, timeout=5)
        assert whole.status_code == 200 and whole.content[:4] == b"PK\x03\x04"
        assert int(whole.headers["Content-Length"]) == len(whole.content)
        tail = requests.get(link, headers=dict(cookie, Range="bytes=10-"), timeout=5)
        assert tail.status_code == 206 and tail.content == whole.content[10:]
        forged = link.replace("signature=", "signature=0")
        assert requests.get(forged, headers=cookie, timeout=5).status_code == 400


def test_set_day_changes_the_next_export():
    with FakeNotion() as fake:
        before = {rel for rel, _, _ in fake.workspace.entries()}
        fake.set_day(2)
        after = {rel for rel, _, _ in fake.workspace.entries()}
        assert fake.workspace.day == 2 and before != after
