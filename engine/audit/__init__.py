"""The forensic audit of deepfake and face-spoof detectors.

Importing scores (``importer``), running a detector on face crops (``runner``), frame-to-video aggregation
(``aggregate``), ROC/EER/AP and the ISO/IEC 30107-3 PAD metrics (``metrics``, ``pad``, ``evaluate``,
``bootstrap``), the operating threshold (``thresholds``), CA-FAS-style Mahalanobis confidence and
risk-coverage (``confidence``, ``risk``), the review queue (``review``) and the report with its manifest
(``report``). Nothing here imports Qt.
"""
