"""What a restore created and what it could not recreate faithfully, gathered for its report."""

CREATED_KINDS = ("pages", "databases", "rows", "blocks", "comments", "uploads", "views")


class RestoreReport:
    """Counters of created objects and the list of losses, each loss listed once."""

    def __init__(self):
        self.counts = {kind: 0 for kind in CREATED_KINDS}
        self.losses, self._seen_losses = [], set()

    def loss(self, kind, where, detail):
        """Record something the restore could not recreate faithfully (reported, never dropped)."""
        if (kind, where, detail) not in self._seen_losses:
            self._seen_losses.add((kind, where, detail))
            self.losses.append({"kind": kind, "where": where, "detail": detail})

    def count(self, what, n=1):
        """Add to one of the created counters."""
        self.counts[what] += n
