"""Project storage: the database, media files (hashing, probing, decoding) and the audit log."""
