"""Running a detector inside FaceLens: faces found with mediapipe, cropped with a margin, scored by the user's
model in batches on the engine thread."""
