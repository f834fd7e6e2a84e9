"""Eye-tracking data in plain Python + numpy: gaze samples, their alignment to video time, and the parsers
for Pupil Player, Tobii Pro Lab and generic CSV exports."""
