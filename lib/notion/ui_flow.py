"""Notion's Settings -> Export flow as data: the page to open, each step's selector, and the page markers."""

# Opened relative to settings.base_url; the web app lands on the last visited workspace page.
START_PATH = "/"

# (what, action, selector, value): run in order; `what` names the step in logs and error messages.
# The options match what the API path asks for: Markdown & CSV, everything, subpages as folders.
STEPS = (
    ("settings entry", "click", "role=button[name='Settings']", None),
    ("export all workspace content", "click", "role=button[name='Export all workspace content']", None),
    ("export format", "select", "role=combobox[name='Export format']", "Markdown & CSV"),
    ("include content", "select", "role=combobox[name='Include content']", "Everything"),
    ("create folders for subpages", "check", "role=checkbox[name='Create folders for subpages']", None),
)

# The click that starts the export: answered by a download or by the e-mail notice.
EXPORT_BUTTON = "role=dialog[name='Export'] >> role=button[name='Export']"

# What the page may show instead of the next step; each is (marker, selector, what the user should do).
LOGGED_OUT = ("the Notion login page (logged out)", "text=/^Log in$|Continue with email/i",
              "refresh NATIVE_EXPORT_TOKEN_V2 (README: Refreshing cookies)")
NO_PERMISSION = ("\"You don't have permission to export\"", "text=/permission to export/i",
                 "ask a workspace owner for export rights, or use an owner's cookies")
BLOCKERS = (LOGGED_OUT, NO_PERMISSION)

# After the Export click: the page says the link will come by e-mail (large workspaces).
EMAIL_NOTICE = "text=/we.ll e-?mail you/i"

# Seconds to wait for each navigation step before reading what the page shows instead.
STEP_TIMEOUT_SECONDS = 30
