"""The Runs page's server side: runs found on disk, their reports with intervals, and comparisons."""
