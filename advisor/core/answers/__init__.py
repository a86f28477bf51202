"""What a team answers: the questionnaires, answers files (and answers read back from a memo), the memo-file format, and the overrides a config file sets."""
