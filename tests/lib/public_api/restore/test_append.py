"""Tests for how a restore splits block appends within Notion's limits."""
from lib.public_api.restore.append import MAX_BYTES, MAX_CHILDREN, MAX_ELEMENTS, Item, batches


def _item(text="x", kids=0):
    write = {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": text}}]}}
    return Item(write, {"id": "old"}, [{"type": "paragraph"}] * kids, False)


def test_batches_hold_at_most_the_children_limit():
    sizes = [len(batch) for batch in batches([_item() for _ in range(2 * MAX_CHILDREN + 50)])]
    assert sizes == [MAX_CHILDREN, MAX_CHILDREN, 50]


def test_batches_count_one_level_of_children_against_the_element_limit():
    items = [_item(kids=MAX_CHILDREN + 20) for _ in range(10)]
    per_batch = MAX_ELEMENTS // (1 + MAX_CHILDREN)
    assert [len(batch) for batch in batches(items)] == [per_batch, 10 - per_batch]


def test_batches_stay_under_the_request_size_and_never_come_out_empty():
    big = [_item("x" * (MAX_BYTES // 3)) for _ in range(5)]
    assert [len(batch) for batch in batches(big)] == [2, 2, 1]
    assert [len(batch) for batch in batches([_item("x" * (MAX_BYTES + 1))])] == [1]
    assert list(batches([])) == []
