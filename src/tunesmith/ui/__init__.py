"""The web UI: static pages (plain ES modules, no build step) that are clients of tunesmith's HTTP API, and the
few `/ui/api/*` routes the pages need beside the OpenAI-compatible ones. Nothing here imports `train/`."""
