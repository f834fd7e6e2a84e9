"""Eye-movement analysis: fixations, saccades and blinks (I-VT, I-DT), fixation maps, gaze statistics, and the
face-mesh job that measures the eyes from the face video when there is no eye tracker."""
