"""The decision memo: a view model, Jinja2 templates (Markdown and HTML), and rendering."""
