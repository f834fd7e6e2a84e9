"""The canvas: the image or video frame in a QGraphicsView, with overlay layers and tool input."""
