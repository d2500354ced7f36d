"""Resume after a crash: claim or remove what the writes left unconfirmed in the journal created."""
import logging

from lib.public_api.restore.block_tree import STRUCTURAL, plain_text

log = logging.getLogger(__name__)


class Adopter:
    """Settles the journal's open intents against what Notion holds, so a resumed restore creates nothing twice."""

    def __init__(self, api, journal):
        self.api, self.journal = api, journal

    def adopt(self):
        """Claim or remove what each unconfirmed write created before the interruption."""
        known = self.journal.known_new_ids()
        for key, intent in list(self.journal.intents.items()):
            if key.startswith("append:"):
                self._adopt_append(key, intent, known)
            elif key.startswith(("page:", "database:")):
                self._adopt_object(key, intent, known)
            self.journal.intents.pop(key, None)

    def _adopt_append(self, key, intent, known):
        listed = list(self.api.paginate("GET", f"blocks/{intent['container']}/children"))
        extra = [c["id"] for c in listed if c["id"] not in known and c["type"] not in STRUCTURAL]
        if len(extra) == len(intent["old"]):
            fixups = [[n, o, intent["owner"]] for n, o, u in zip(extra, intent["old"], intent["unresolved"]) if u]
            self.journal.mapped({o: n for o, n in zip(intent["old"], extra) if o}, key, value=extra, fixups=fixups)
            log.info("resume: adopted %d blocks created just before the interruption", len(extra))
            return
        # Fewer or more blocks than the batch cannot be paired with the captured ones: remove them, send it again.
        for block_id in extra:
            self.api.request("DELETE", f"blocks/{block_id}")
        log.info("resume: removed %d blocks of an unconfirmed append", len(extra))

    def _adopt_object(self, key, intent, known):
        if intent.get("data_source"):
            listed = self.api.paginate("POST", f"data_sources/{intent['data_source']}/query")
            match = [p["id"] for p in listed if p["id"] not in known
                     and "".join(plain_text(v["title"]) for v in p["properties"].values()
                                 if v["type"] == "title") == intent["title"]]
        else:
            kind = "child_page" if key.startswith("page:") else "child_database"
            listed = self.api.paginate("GET", f"blocks/{intent['parent']}/children")
            match = [c["id"] for c in listed if c["type"] == kind and c["id"] not in known
                     and c[kind].get("title") == intent["title"]]
        if not match:
            return
        ids = {intent["old"]: match[0]}
        if key.startswith("database:"):
            database = self.api.request("GET", f"databases/{match[0]}")
            ids[intent["first_source"]] = database["data_sources"][0]["id"]
        self.journal.mapped(ids, key, **({"value": "markdown"} if intent.get("markdown") else {}))
        log.info("resume: adopted %s created just before the interruption", key)
