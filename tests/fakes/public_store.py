"""In-memory workspace of the public-API stand-in: objects, children, sharing, read shapes."""
import copy
import hashlib
import hmac
import threading
import time
import uuid

ANNOTATIONS = {"bold": False, "italic": False, "strikethrough": False, "underline": False,
               "code": False, "color": "default"}
REF_CAP = 25


def dashed(value):
    """Return the dashed lowercase form of a 32-hex or dashed id, or None when it is not one."""
    text = str(value or "").replace("-", "").lower()
    if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
        return None
    return str(uuid.UUID(text))


def parent_id(parent):
    """Return the id a parent dict points at (None for the workspace)."""
    kind = (parent or {}).get("type")
    if kind in (None, "workspace"):
        return None
    return parent.get(kind)


def read_rich_text(items, store=None):
    """Turn rich text as written into rich text as read (plain_text, href, annotations)."""
    out = []
    for item in items or []:
        kind = item.get("type") or ("mention" if "mention" in item else "equation" if "equation" in item else "text")
        rt = {"type": kind, "annotations": dict(ANNOTATIONS, **(item.get("annotations") or {}))}
        if kind == "text":
            text = item["text"]
            link = text.get("link")
            rt["text"] = {"content": text["content"], "link": {"url": link["url"]} if link else None}
            rt["plain_text"], rt["href"] = text["content"], link["url"] if link else None
        elif kind == "equation":
            rt["equation"] = {"expression": item["equation"]["expression"]}
            rt["plain_text"], rt["href"] = item["equation"]["expression"], None
        else:
            mention = item["mention"]
            mkind = mention.get("type") or next(k for k in mention if k != "type")
            target = mention[mkind]
            if mkind in ("page", "database", "user"):
                target = {"id": dashed(target["id"])}
            rt["mention"] = {"type": mkind, mkind: target}
            title = store.title_of(target["id"]) if store and mkind in ("page", "database") else ""
            rt["plain_text"] = title or "Untitled"
            rt["href"] = store.url_of(target["id"]) if store and mkind in ("page", "database") else None
        out.append(rt)
    return out


class Store:
    """The workspace: every object in read shape plus the ordered children of pages and blocks."""

    def __init__(self, seed="notion-public", token_secret=b"file-signing-key"):
        self.lock = threading.RLock()
        self.seed = seed
        self.counter = 0
        self.clock = 1767225600  # 2026-01-01T00:00:00Z, advanced one second per change
        self.objects = {}
        self.children = {}
        self.shared = set()
        self.hidden_from_search = set()
        self.comments = []
        self.users = {}
        self.files = {}
        self.uploads = {}
        self.views = {}
        self.bot_id = None
        self.file_secret = token_secret
        self.base_url = "http://127.0.0.1"

    # -- ids and time -------------------------------------------------------------------------
    def new_id(self):
        """Return a fresh deterministic dashed id."""
        self.counter += 1
        digest = hashlib.sha256(f"{self.seed}:{self.counter}".encode()).hexdigest()[:32]
        return str(uuid.UUID(digest))

    def now(self):
        """Return the next ISO timestamp of the logical clock."""
        self.clock += 1
        return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(self.clock))

    def stamp(self, obj):
        """Fill the audit fields of a newly created object."""
        when = self.now()
        who = {"object": "user", "id": self.bot_id}
        obj.update(created_time=when, last_edited_time=when, created_by=who, last_edited_by=who,
                   archived=False, in_trash=False)
        return obj

    def touch(self, object_id):
        """Bump last_edited_time of the page or data source that owns an object."""
        owner = self.owner_page(object_id)
        if owner:
            self.objects[owner]["last_edited_time"] = self.now()

    # -- tree ---------------------------------------------------------------------------------
    def get(self, object_id):
        """Return the stored object for an id in any spelling, or None."""
        return self.objects.get(dashed(object_id) or "")

    def parent_of(self, object_id):
        """Return the parent id of an object, or None at the workspace level."""
        obj = self.objects.get(object_id)
        return parent_id(obj.get("parent")) if obj else None

    def owner_page(self, object_id):
        """Return the nearest page (or data source) at or above an object."""
        current = object_id
        while current:
            obj = self.objects.get(current)
            if obj is None:
                return None
            if obj["object"] in ("page", "data_source", "database"):
                return current
            current = self.parent_of(current)
        return None

    def accessible(self, object_id):
        """Tell whether the integration can see an object (shared itself or below a shared one)."""
        current = dashed(object_id)
        while current:
            obj = self.objects.get(current)
            if obj is None or obj.get("in_trash"):
                return False
            if current in self.shared:
                return True
            current = self.parent_of(current)
        return False

    def add_child(self, container_id, child_id, after=None):
        """Insert a child id into a container's ordered children."""
        kids = self.children.setdefault(container_id, [])
        if after and after in kids:
            kids.insert(kids.index(after) + 1, child_id)
        else:
            kids.append(child_id)

    def live_children(self, container_id):
        """Return the ids of a container's children that are not trashed."""
        obj = self.objects.get(container_id) or {}
        if obj.get("type") == "synced_block" and obj["synced_block"].get("synced_from"):
            container_id = obj["synced_block"]["synced_from"]["block_id"]
        return [c for c in self.children.get(container_id, []) if not self.objects[c].get("in_trash")]

    # -- read shapes --------------------------------------------------------------------------
    def title_of(self, object_id):
        """Return the plain title of a page, database or data source."""
        obj = self.objects.get(dashed(object_id) or "")
        if obj is None:
            return ""
        if obj["object"] == "page":
            for prop in obj["properties"].values():
                if prop["type"] == "title":
                    return "".join(t["plain_text"] for t in prop["title"])
            return ""
        return "".join(t["plain_text"] for t in obj.get("title", []))

    def url_of(self, object_id):
        """Return the notion.so URL of an object."""
        return f"https://www.notion.so/{dashed(object_id).replace('-', '')}"

    def sign(self, key, ttl):
        """Return a signed download URL for a stored file that expires after `ttl` seconds."""
        expires = int(time.time() + ttl)
        faults = getattr(self, "faults", None)
        if faults is not None and faults.expired_links > 0:
            faults.expired_links -= 1
            expires = int(time.time() - 60)
        sig = hmac.new(self.file_secret, f"{key}:{expires}".encode(), "sha256").hexdigest()
        name = self.files[key][0]
        return f"{self.base_url}/files/{key}/{name}?expires={expires}&signature={sig}", expires

    def check_signature(self, key, expires, signature):
        """Tell whether a download URL's signature is valid and unexpired."""
        good = hmac.new(self.file_secret, f"{key}:{expires}".encode(), "sha256").hexdigest()
        return hmac.compare_digest(good, signature or "") and int(expires) >= time.time()

    def render_file(self, fobj, ttl):
        """Return a file object as read: hosted files get a fresh signed URL."""
        if fobj.get("type") == "file" and "key" in fobj.get("file", {}):
            url, expires = self.sign(fobj["file"]["key"], ttl)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(expires))
            out = {k: v for k, v in fobj.items() if k != "file"}
            out["file"] = {"url": url, "expiry_time": stamp}
            return out
        return copy.deepcopy(fobj)

    def render(self, object_id, ttl=3600, cap=True):
        """Return the read shape of an object (signed file URLs, reference caps, has_children)."""
        obj = copy.deepcopy(self.objects[object_id])
        if obj["object"] == "block":
            obj["has_children"] = bool(self.live_children(object_id))
            payload = obj[obj["type"]]
            if obj["type"] in ("image", "file", "pdf", "video", "audio"):
                obj[obj["type"]] = self.render_file(payload, ttl)
            if obj["type"] == "child_page":
                payload["title"] = self.title_of(object_id)
        if obj["object"] in ("page", "database", "data_source"):
            for key in ("icon", "cover"):
                if obj.get(key):
                    obj[key] = self.render_file(obj[key], ttl)
        if obj["object"] == "page":
            obj["url"] = self.url_of(object_id)
            for prop in obj["properties"].values():
                if prop["type"] == "files":
                    prop["files"] = [self.render_file(f, ttl) for f in prop["files"]]
                if cap and prop["type"] in ("relation", "people") and len(prop[prop["type"]]) > REF_CAP:
                    prop[prop["type"]] = prop[prop["type"]][:REF_CAP]
                    prop["has_more"] = True
                elif prop["type"] == "relation":
                    prop["has_more"] = False
        if obj["object"] == "database":
            obj["url"] = self.url_of(object_id)
            obj["data_sources"] = [{"id": d, "name": self.title_of(d)} for d in self.children.get(object_id, [])]
        return obj

    # -- helpers used by writes ---------------------------------------------------------------
    def option(self, schema, raw):
        """Return a select option by name or id, adding it to the schema when it is new."""
        options = schema[schema["type"]].setdefault("options", [])
        for opt in options:
            if opt["name"] == raw.get("name") or opt["id"] == raw.get("id"):
                return dict(opt)
        opt = {"id": self.new_id()[:8], "name": raw["name"], "color": raw.get("color", "default")}
        options.append(opt)
        return dict(opt)

    def add_file(self, name, data):
        """Store a hosted file and return its key."""
        key = hashlib.sha256(data).hexdigest()[:16]
        self.files[key] = (name, data)
        return key

    def attach_upload(self, payload):
        """Turn a `file_upload` reference into a hosted file; leave external files alone."""
        if payload.get("type") != "file_upload":
            return payload
        upload = self.uploads.get(dashed(payload["file_upload"]["id"]) or "")
        if not upload or upload["status"] != "uploaded":
            from tests.fakes.public_writes import ApiError
            raise ApiError(400, "validation_error", "body failed validation: file_upload.id should be an uploaded file")
        out = {k: v for k, v in payload.items() if k not in ("type", "file_upload")}
        out.update(type="file", file={"key": upload["key"]})
        out.setdefault("name", upload["filename"])
        return out
