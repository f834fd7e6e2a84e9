"""Emotion labelling in plain Python: the ER and FER tracks, segment editing, frame timelines, CSV and ELAN
formats, and continuous valence/arousal ratings."""
