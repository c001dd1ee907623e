"""Data: read record files and convert every chat-data format to the canonical messages form."""
