"""Names git gives a meaning to, in every spelling git itself matches: `.git`, its NTFS and HFS+ aliases, `.gitmodules`.

git refuses to check out (verify_path, core.protectNTFS/protectHFS) or fsck reports (hasDotgit,
gitmodules*, gitattributes*) a tree entry that some filesystem would resolve to `.git`, or that git
would read as its own `.gitmodules`/`.gitattributes`/`.gitignore`. A backup branch holding one is
refused by `git clone`, by GitHub's push checks and by our own pull, so such names never reach it.
"""
import re
import unicodedata

# Code points HFS+ ignores when it compares names (git's utf8.c next_hfs_char).
HFS_IGNORABLE = frozenset([0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                           0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF])
# NTFS 8.3 short names of .git and of the dot-files git reads (git's is_ntfs_dot_generic prefixes);
# a prefix of the six letters followed by ~N is also how Windows may shorten them.
SHORT_PREFIXES = ("git", "gitmod", "gi7eba", "gitatt", "gi7d29", "gitign", "gi250a")
SHORT_RE = re.compile(r"([a-z0-9]{1,6})~([0-9]{1,6})")


def hfs_fold(name):
    """Return the name as HFS+ compares it: ignorable code points dropped, decomposed, case folded."""
    if name.isascii():  # nearly every name: nothing to drop or decompose
        return name.lower()
    kept = "".join(c for c in name if ord(c) not in HFS_IGNORABLE)
    return unicodedata.normalize("NFD", kept).casefold()


def _ntfs_fold(name):
    """Return the name as NTFS resolves it: an alternate-stream suffix and trailing dots and spaces dropped."""
    return name.split(":", 1)[0].rstrip(". ").lower()


def _is_short_alias(folded):
    """True for an 8.3 short name Windows could give `.git` or one of git's dot-files."""
    match = SHORT_RE.fullmatch(folded)
    return bool(match) and any(prefix.startswith(match.group(1)) for prefix in SHORT_PREFIXES)


def is_git_name(component):
    """True when git, on some filesystem, would take this path component for `.git` or one of its own dot-files.

    Deliberately wider than git's exact rules: anything that folds to a name starting with `.git`
    (`.gitmodules`, `.gitattributes`, `.gitignore`, `.git.`, `.GIT`) and every 8.3 alias of them.
    """
    folded = hfs_fold(component)
    if folded.startswith(".git"):  # NTFS folding only trims the end: one prefix test covers both
        return True
    return "~" in folded and any(_is_short_alias(_ntfs_fold(name)) for name in (component, folded))
