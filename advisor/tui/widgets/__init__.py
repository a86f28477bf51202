"""The TUI's widgets: question fields, the section list and the decision panel."""
