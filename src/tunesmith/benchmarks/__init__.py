"""Measured comparisons that ship with tunesmith (`tunesmith bench …`)."""
