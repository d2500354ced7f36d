"""Reading and packing the object store: stream blobs with their ids checked, pack loose objects in batches."""
import hashlib
import logging
import os
import time
import zlib

from dulwich.objects import ShaFile

from lib.git.objects import CHUNK, loose_path

log = logging.getLogger(__name__)

PACK_THRESHOLD = 5000           # loose objects tolerated before a batched pack
PACK_BATCH_BYTES = 32 << 20     # bounded memory per pack written
# Packing pays for many small objects (one file each, slow to list and to send); a loose object this big is
# already one compressed file, and re-packing it would only read and write it again (gigabytes of attachments).
PACK_MAX_OBJECT = 256 << 10


def content_sha(obj):
    """Return the sha1 recomputed from an object's bytes (dulwich's .id trusts the name it was read under)."""
    raw = obj.as_raw_string()
    return hashlib.sha1(b"%s %d\x00" % (obj.type_name, len(raw)) + raw).hexdigest().encode()


def iter_blob(store, hexsha, chunk=CHUNK):
    """Yield a blob's bytes in chunks: a loose blob streams (sha1 checked at the end), a packed one comes whole."""
    hexsha = hexsha if isinstance(hexsha, bytes) else hexsha.encode()
    try:
        handle = open(loose_path(store, hexsha), "rb")
    except FileNotFoundError:
        obj = store[hexsha]
        data = obj.as_raw_string()
        if obj.type_name != b"blob" or content_sha(obj) != hexsha:
            raise ValueError(f"packed object {hexsha.decode()} is not the blob its name says")
        yield data
        return
    with handle:
        inflate, digest, header, size, seen = zlib.decompressobj(), hashlib.sha1(), b"", None, 0
        for raw in iter(lambda: handle.read(chunk), b""):
            while raw:
                # max_length bounds memory even for a highly compressible (or hostile) object.
                out, raw = inflate.decompress(raw, chunk), inflate.unconsumed_tail
                if size is None:
                    header += out
                    if b"\x00" not in header:
                        continue
                    head, out = header.split(b"\x00", 1)
                    kind, _, length = head.partition(b" ")
                    if kind != b"blob" or not length.isdigit():
                        raise ValueError(f"object {hexsha.decode()} is not a blob ({head[:20]!r})")
                    size = int(length)
                    digest.update(head + b"\x00")
                if out:
                    seen += len(out)
                    digest.update(out)
                    yield out
        if size is None or seen != size or digest.hexdigest().encode() != hexsha:
            raise ValueError(f"loose object {hexsha.decode()} is corrupt (content does not hash to its name)")


def _loose_objects(store_path):
    for prefix in os.listdir(store_path):
        if len(prefix) == 2 and os.path.isdir(os.path.join(store_path, prefix)):
            for rest in os.listdir(os.path.join(store_path, prefix)):
                if len(rest) == 38:
                    yield os.path.join(store_path, prefix, rest)


def pack_loose_objects(repo, threshold=PACK_THRESHOLD, batch_bytes=PACK_BATCH_BYTES):
    """Pack loose objects in bounded batches once more than `threshold` pile up; return how many were packed."""
    store = repo.object_store
    paths = [path for path in _loose_objects(store.path) if os.path.getsize(path) <= PACK_MAX_OBJECT]
    if len(paths) <= threshold:
        return 0
    started, packed, batch, batch_paths, size = time.monotonic(), 0, [], [], 0

    def flush():
        nonlocal batch, batch_paths, size, packed
        if batch:
            store.add_objects([(obj, None) for obj in batch])
            store.close()   # unmap the packs just written, so resident memory stays at one batch
            for path in batch_paths:
                os.unlink(path)   # only after the pack holding it is complete and indexed
            packed += len(batch)
        batch, batch_paths, size = [], [], 0

    for path in paths:
        # Big blobs stay loose: packing them would hold them in memory whole and rewrite them for nothing.
        if os.path.getsize(path) > min(batch_bytes // 4, PACK_MAX_OBJECT):
            continue
        obj = ShaFile.from_path(path)
        batch.append(obj)
        batch_paths.append(path)
        size += obj.raw_length()
        if size >= batch_bytes:
            flush()
    flush()
    log.info("packed %d of %d loose objects in %.1f s", packed, len(paths), time.monotonic() - started)
    return packed
