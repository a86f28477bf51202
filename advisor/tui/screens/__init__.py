"""The TUI's screens: start, decision, results and dialogs."""
