"""Column-level consumer impact: who reads which column of which version, what breaks."""
