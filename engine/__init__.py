"""Compute: the background engine thread, model adapters and algorithms. No Qt here."""
