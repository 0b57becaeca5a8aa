"""The Admin Center's terms of use. Raise the version when their wording changes: every
acceptance records the version that was accepted."""

TERMS_VERSION = "2026.1"
