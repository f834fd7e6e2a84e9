"""Media files: hashing, probing, frame-accurate decoding, thumbnails and import."""
