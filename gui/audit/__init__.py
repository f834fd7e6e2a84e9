"""The Audit workspace: the review queue sorted by risk with the verdict bar, the face crop and the face box on
the canvas, the score over time, the metrics dock (ROC, DET, histograms, risk-coverage) and report export.

``state.AuditState`` holds what the panels share (the run, its queue and metrics, the sample under review)
and does every read and write as an engine job, so the window never waits on the database or a decoder.
"""
