"""The FaceLens window (PySide6). No business logic, no SQL, no torch: it calls repositories and engine jobs.

Where to plug in (each registry documents itself in its module docstring):
  * ``gui.panels``        dock panels per workspace (append your module to ``PANEL_MODULES``)
  * ``gui.tools``         canvas tools with mouse/key handlers (append your module to ``TOOL_MODULES``)
  * ``gui.canvas.layers`` overlay layers drawn over the image (``window.canvas.add_layer(layer)``)
  * ``window.menu(key, title)`` and ``gui.actions.add_action`` for menu entries that show up in Help → Shortcuts
"""
