"""The Data page's server side: uploads into the workspace and the inspect view."""
