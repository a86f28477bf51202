"""What a team keeps: the worked cases, the decision log, and what changed between two decisions."""
