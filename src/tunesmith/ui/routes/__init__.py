"""The `/ui/api/*` routes, one module per page (info is the shell's)."""
