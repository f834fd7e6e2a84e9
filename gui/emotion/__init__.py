"""The Emotion workspace: ER and FER tiers, the valence/arousal rating pad, gaze overlays on the canvas,
pyqtgraph plots linked to the timeline cursor, and the gap and agreement panel. ``gui.emotion.panels``
registers it all."""
