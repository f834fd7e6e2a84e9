"""The FaceLens window (PySide6). No business logic, no SQL, no torch: it calls repositories and engine jobs.

Where to plug in (each registry documents itself in its module docstring):
  * ``gui.panels``        dock panels per workspace (append your module to ``PANEL_MODULES``)
  * ``gui.tools``         canvas tools with mouse/key handlers (append your module to ``TOOL_MODULES``)
  * ``gui.canvas.layers`` overlay layers drawn over the image (``window.canvas.add_layer(layer)``)
  * ``window.menu(key, title)`` and ``gui.actions.add_action`` for menu entries that show up in Help → Shortcuts
"""

import sys as _sys

if _sys.version_info < (3, 12):
    # PySide6 6.12.0 on CPython 3.11 hands back None from every void method (QPainter.drawRect, QWidget.update,
    # QPainterPath.lineTo...) without a reference of its own, so None loses one reference per call and the
    # interpreter aborts ("none_dealloc") once they run out: after about a minute of video with the gaze
    # overlays. CPython 3.12 makes None immortal; here None gets references enough for any session.
    import ctypes as _ctypes

    _ctypes.c_ssize_t.from_address(id(None)).value += 1 << 60
