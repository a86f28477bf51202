"""The terminal UI (Textual). Only the `tui` command imports this package."""
