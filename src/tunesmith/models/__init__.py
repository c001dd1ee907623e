"""Model references: aliases shipped offline, local folders, hub ids, and run directories."""
