"""Tasks: the CLI's own commands run as subprocesses in the workspace (eval, export, arena, data run, flywheel),
and the config files they read."""
