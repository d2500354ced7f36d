"""Run rendering work over many items: in a pool of forked worker processes when it pays, else right here."""
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context


def chunked_map(items, work, init, ctx, workers, min_items, report=None, take=None):
    """Return the merged dicts `work(chunk)` returns for chunks of `items`; `init(ctx)` prepares each process.

    Below `min_items` (or with one worker) everything runs in this process: forking a pool costs more than it
    saves on a typical daily change. `report(done)` is called after each finished chunk. With `take`, each
    chunk's dict goes to `take(part)` as it arrives and nothing is kept: the number of items done is returned.
    """
    if workers <= 1 or len(items) < min_items:
        init(ctx)
        results = work(items)
        if take is None:
            return results
        take(results)
        return len(results)
    # Small chunks: the last one ends close to the others (a 200-page tail left one core idle for
    # ~0.5 s), and one more task costs a worker well under a millisecond.
    size = max(8, min(48, len(items) // (workers * 16) or 1))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    results, done = {}, 0
    with ProcessPoolExecutor(workers, mp_context=get_context(method), initializer=init, initargs=(ctx,)) as pool:
        for part in pool.map(work, chunks):
            done += len(part)
            if take is None:
                results.update(part)
            else:
                take(part)
            if report is not None:
                report(done)
    return results if take is None else done
