"""Emotion analysis: the ER-versus-FER gap, agreement between annotators, and recognition scores (WAR/UAR)."""
