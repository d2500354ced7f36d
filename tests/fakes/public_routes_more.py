"""More routes of the public-API stand-in: comments, users and file uploads."""
from tests.fakes.public_routes import not_found, paginate, route, visible
from tests.fakes.public_store import dashed, read_rich_text
from tests.fakes.public_writes import ApiError, check_rich_text, invalid


@route("GET", "comments")
def list_comments(fake, match, params, body):
    target = visible(fake, params.get("block_id"), ("block", "page"))
    items = [c for c in fake.store.comments if c["parent"][c["parent"]["type"]] == target]
    return paginate(fake, items, params, "comment")


@route("POST", "comments")
def post_comment(fake, match, params, body):
    store = fake.store
    parent = body.get("parent") or {}
    rich = body.get("rich_text")
    if "discussion_id" in body:
        first = next((c for c in store.comments if c["discussion_id"] == body["discussion_id"]), None)
        if first is None:
            not_found(body["discussion_id"])
        parent, discussion = first["parent"], body["discussion_id"]
    elif "page_id" in parent:
        parent = {"type": "page_id", "page_id": visible(fake, parent["page_id"], ("page",))}
        discussion = store.new_id()
    else:
        invalid("body.parent", "an object with `page_id`, or a `discussion_id`", sorted(parent))
    check_rich_text(rich, "body.rich_text")
    comment = store.stamp({"object": "comment", "id": store.new_id(), "parent": parent,
                           "discussion_id": discussion, "rich_text": read_rich_text(rich, store)})
    for key in ("archived", "in_trash", "last_edited_by"):
        comment.pop(key)
    store.comments.append(comment)
    return comment


@route("GET", "users")
def list_users(fake, match, params, body):
    if fake.faults.users_forbidden:
        raise ApiError(403, "restricted_resource", "Insufficient permissions for this endpoint.")
    return paginate(fake, list(fake.store.users.values()), params, "user")


@route("GET", "users/me")
def me(fake, match, params, body):
    return fake.store.users[fake.store.bot_id]


@route("POST", "file_uploads")
def create_upload(fake, match, params, body):
    if fake.faults.uploads_refused:
        invalid("body.content_length", "at most 5 MB on this workspace plan", "larger")
    upload_id = fake.store.new_id()
    upload = {"object": "file_upload", "id": upload_id, "status": "pending",
              "filename": body.get("filename") or "file", "content_type": body.get("content_type"),
              "upload_url": f"{fake.base_url}/v1/file_uploads/{upload_id}/send"}
    fake.store.uploads[upload_id] = upload
    return {k: v for k, v in upload.items() if k != "key"}


@route("POST", "file_uploads/([^/]+)/send")
def send_upload(fake, match, params, body):
    upload = fake.store.uploads.get(dashed(match[1]) or "")
    if upload is None:
        not_found(match[1])
    data = body.get("__file__")
    if data is None:
        invalid("file", "a multipart file part", "missing")
    upload["key"] = fake.store.add_file(upload["filename"], data)
    upload["status"] = "uploaded"
    return {k: v for k, v in upload.items() if k != "key"}
