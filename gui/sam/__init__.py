"""SAM 2 in the window: the SAM tool (Q / E / B, Enter, Esc), its live preview, the SAM panel (objects, propagate
with progress and cancel) and the Models menu. ``controller.sam_controller(window)`` holds the state they share;
all model work runs as engine jobs (``engine.segmentation.service``)."""
