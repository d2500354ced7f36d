"""The offline stand-in for the API that a --dry-run restore talks to: planned ids, one plan step per write."""


class PlanApi:
    """Answers restore writes offline with planned ids and records each one as a plan step."""

    def __init__(self):
        self.plan, self.children, self.n = [], {}, 0
        self.stats = {"requests": 0}

    def _id(self):
        self.n += 1
        return f"00000000-0000-4000-8000-{self.n:012d}"

    def request(self, method, path, query=None, body=None, skip_missing=False, form_data=None):
        """Record a write and answer it the way Notion would, without any network."""
        self.stats["requests"] += 1
        body = body or {}
        if method == "PATCH" and path.endswith("/children"):
            container = path.split("/")[1]
            results = []
            for child in body["children"]:
                new = self._id()
                nested = child[child["type"]].get("children") or []
                self.children[new] = [self._id() for _ in nested]
                results.append({"id": new})
            self.children.setdefault(container, []).extend(r["id"] for r in results)
            nested = sum(len(c[c["type"]].get("children") or []) for c in body["children"])
            self.plan.append({"action": "append_blocks", "under": container, "blocks": len(results), "nested": nested})
            return {"results": results}
        if method == "POST" and path in ("pages", "databases", "data_sources"):
            new = self._id()
            titled = body.get("title") or next((v["title"] for v in body.get("properties", {}).values()
                                                if isinstance(v, dict) and "title" in v), [])
            title = "".join(t.get("text", {}).get("content", "") for t in titled)
            parent = body.get("parent", {})
            self.plan.append({"action": f"create_{path[:-1]}", "title": title,
                              "under": parent.get(parent.get("type")), "id": new})
            return {"id": new, "data_sources": [{"id": self._id()}], "discussion_id": new}
        if method == "POST" and path == "views":
            self.plan.append({"action": "create_view", "name": body.get("name"), "type": body.get("type")})
            return {"id": self._id()}
        if method == "POST" and path == "comments":
            self.plan.append({"action": "create_comment"})
            return {"id": self._id(), "discussion_id": body.get("discussion_id") or self._id()}
        if method == "POST" and path == "file_uploads":
            self.plan.append({"action": "upload_file", "name": body.get("filename")})
            return {"id": self._id()}
        if method != "GET" and not path.endswith("/send"):
            self.plan.append({"action": f"{method.lower()} {path.split('/')[0]}", "target": path.split("/")[1]})
        return {"results": [], "data_sources": [{"id": self._id()}]}

    def paginate(self, method, path, query=None, body=None, skip_missing=False):
        """Yield the planned children of a planned block."""
        self.stats["requests"] += 1
        parts = path.split("/")
        for child in self.children.get(parts[1], []) if parts[0] == "blocks" else []:
            yield {"id": child, "type": "planned"}

    def progress(self, force=False, label=""):
        """Nothing to report offline."""

    def close(self):
        """Nothing to close offline."""
