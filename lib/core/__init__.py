"""The small leaves every package stands on: errors and ExitStatus, the layout of every file, logging, redaction, disk helpers, ids, Notion's naming rule, clock."""
