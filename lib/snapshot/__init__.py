"""May this export become the snapshot: counting, the gate, promotion."""
from lib.snapshot.counting import count_tree, snapshot_changes
from lib.snapshot.gate import evaluate as evaluate_gate
from lib.snapshot.gate import measure
from lib.snapshot.promote import is_spent, link_tree, promote_tree, prune_staging, repair

__all__ = ["count_tree", "snapshot_changes", "evaluate_gate", "measure", "promote_tree", "prune_staging", "repair",
           "is_spent", "link_tree"]
