"""The built-in plugins (installed as advisor_plugins): questionnaires, options, facts and rule packs.

They are registered through the ``advisor`` entry-point group, the same way a third-party plugin is.
"""
