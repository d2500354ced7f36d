"""The quality gate: compare a new snapshot's counts with the previous one's."""

MEASURES = (
    ("md", "Markdown pages"),
    ("csv", "CSV files"),
    ("attachments", "attachments"),
    ("bytes", "total bytes"),
)


def measure(counts, key):
    """Return one gated measure; CSV files include Notion's `_all.csv` twins."""
    if key == "csv":
        return counts.get("csv", 0) + counts.get("csv_all", 0)
    return counts.get(key, 0)


def evaluate(current, previous, min_md, min_csv, max_drop_percent, accept_drop=False):
    """Given two counts dicts (previous may be None), return the verdict dict with every reason."""
    reasons, drops = [], {}
    if measure(current, "md") < min_md:
        reasons.append(f"only {measure(current, 'md')} Markdown pages, expected at least {min_md} "
                       f"(setting QUALITY_MIN_MD_COUNT / quality.min_md_count)")
    if measure(current, "csv") < min_csv:
        reasons.append(f"only {measure(current, 'csv')} CSV files, expected at least {min_csv} "
                       f"(setting QUALITY_MIN_CSV_COUNT / quality.min_csv_count)")
    drop_reasons = []
    if previous:
        for key, label in MEASURES:
            before, now = measure(previous, key), measure(current, key)
            if before > 0:
                drop = round(100.0 * (before - now) / before, 2)
                drops[key] = drop
                if drop > max_drop_percent:
                    drop_reasons.append(
                        f"{label} dropped {drop:g}% ({before} -> {now}), more than the allowed "
                        f"{max_drop_percent:g}% (setting QUALITY_MAX_DROP_PERCENT; to accept a real "
                        f"mass deletion once: doit gate --accept-drop or QUALITY_ACCEPT_DROP=1)")
    accepted = bool(drop_reasons) and accept_drop
    if not accepted:
        reasons.extend(drop_reasons)
    return {
        "verdict": "refused" if reasons else "passed",
        "reasons": reasons,
        "accepted_drop": accepted,
        "accepted_reasons": drop_reasons if accepted else [],
        "drops_percent": drops,
        "thresholds": {"min_md_count": min_md, "min_csv_count": min_csv,
                       "max_drop_percent": max_drop_percent},
        "current": current,
        "previous": previous,
    }
