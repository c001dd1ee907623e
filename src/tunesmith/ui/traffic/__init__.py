"""The Traffic page's server side: the request log, admin review, export to a dataset, flywheel turns."""
