"""Around one decision: what would flip it, when to look again, and how sure it is."""
