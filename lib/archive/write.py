"""Write a directory tree into a ZIP shaped like Notion's export (wrapper holding a Part-1 shard)."""
import os
import uuid
import zipfile
from pathlib import Path


def zip_tree_as_export(source_dir, dest_zip):
    """Zip `source_dir` as Export-<uuid>-Part-1.zip inside a wrapper at `dest_zip` (temp name, then rename)."""
    source_dir, dest_zip = Path(source_dir), Path(dest_zip)
    export = f"Export-{uuid.uuid4()}"
    part = dest_zip.with_name(f"{export}-Part-1.zip")
    with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as shard:
        for dirpath, dirnames, filenames in os.walk(source_dir):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                shard.write(full, f"{export}/{full.relative_to(source_dir).as_posix()}")
    tmp = dest_zip.with_name(dest_zip.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as wrapper:
        wrapper.write(part, part.name)
    part.unlink()
    os.replace(tmp, dest_zip)
    return dest_zip
