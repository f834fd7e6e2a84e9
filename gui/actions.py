"""Menu actions with their shortcuts in the tooltip, findable by key.

    act = add_action(window, window.menu("media"), "media.proxy", "Build fast-seek proxy", slot,
                     shortcut="Ctrl+Shift+P", tip="Encode a short-GOP copy so jumps are fast")

The action is added to the window (its shortcut works wherever focus is) and to ``menu``; Help → Shortcuts
lists every action of every menu, so nothing else needs registering. ``window.action("media.proxy")`` finds it.
Keys Q, E, B, Enter and Esc are kept for the SAM 2 tool (see ``gui.tools``); do not bind them elsewhere.
"""
from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

OBJECT_PREFIX = "action:"
THEMED_ICON = "facelens_icon"


SHOWN_KEYS = "facelens_shown_keys"  # a menu entry's keys that another action takes (see ``key_of_widget``)


def shortcut_text(action: QAction) -> str:
    keys = ", ".join(s.toString(QKeySequence.NativeText) for s in action.shortcuts() if not s.isEmpty())
    return keys or str(action.property(SHOWN_KEYS) or "")


def menu_text(action: QAction) -> str:
    """An entry's name as the user reads it: without its ``&`` and the keys a menu shows after a tab."""
    return action.text().split("\t")[0].replace("&", "")


def with_shortcut(tip: str, action: QAction) -> str:
    keys = shortcut_text(action)
    return f"{tip} ({keys})" if keys else tip


def add_action(window: QWidget, menu: QMenu | None, key: str, text: str, slot: Callable | None = None,
               shortcut: str | Iterable[str] = (), tip: str = "", icon: QIcon | str | None = None,
               checkable: bool = False) -> QAction:
    """``icon`` is a QIcon, or the name of a painted icon in ``gui.icons`` (repainted when the theme changes)."""
    action = QAction(text, window)
    action.setObjectName(OBJECT_PREFIX + key)
    keys = [shortcut] if isinstance(shortcut, str) else list(shortcut)
    action.setShortcuts([QKeySequence(k) for k in keys if k])
    action.setCheckable(checkable)
    if isinstance(icon, str):
        set_themed_icon(action, icon)
    elif icon is not None:
        action.setIcon(icon)
    action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
    action.setToolTip(with_shortcut(tip or text.replace("&", "").rstrip("…"), action))
    if slot is not None:
        action.triggered.connect(slot)
    window.addAction(action)
    if menu is not None:
        menu.addAction(action)
    return action


def set_themed_icon(action: QAction, name: str) -> None:
    from gui import icons

    action.setProperty(THEMED_ICON, name)
    action.setIcon(icons.icon(name))


def repaint_themed_icons(window: QWidget) -> None:
    """Light or dark theme switched: paint the named icons again in the new text colour."""
    from gui import icons

    for action in window.findChildren(QAction):
        name = action.property(THEMED_ICON)
        if name:
            action.setIcon(icons.icon(name))


def find_action(window: QWidget, key: str) -> QAction | None:
    return window.findChild(QAction, OBJECT_PREFIX + key)


def menu_actions(menu: QMenu, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], QAction]]:
    """Every action in ``menu`` and its submenus, with the menu path that leads to it."""
    out = []
    here = path + (menu.title().replace("&", ""),)
    for action in menu.actions():
        if action.isSeparator():
            continue
        if action.menu() is not None:
            out.extend(menu_actions(action.menu(), here))
        elif action.text():
            out.append((here, action))
    return out


def refresh_tooltips(window: QWidget) -> None:
    """Give actions that others added without the helper a tooltip that names their shortcut."""
    for action in window.findChildren(QAction):
        tip = action.toolTip()
        keys = shortcut_text(action)
        if keys and f"({keys})" not in tip:
            action.setToolTip(f"{tip} ({keys})")


def key_of_widget(window: QWidget, menu: QMenu, widget: QWidget, key: str, text: str, slot: Callable, keys: str,
                  tip: str) -> tuple[QAction, QAction]:
    """An action whose key acts only while ``widget`` has the focus, listed in ``menu`` with that key.

    Two actions: the key is one of ``widget``'s own (its context the widget's focus); the menu's entry runs the
    same slot and shows the key without taking it. An action in a menu also takes its key whenever the menu bar
    holds the keyboard (after Esc out of a menu), where it clashed with the window's action for the same key
    and Qt ran neither. Returns (the key's action, the menu's entry)."""
    act = add_action(window, None, key, text, slot, shortcut=keys, tip=tip)
    window.removeAction(act)  # not window-wide
    act.setShortcutContext(Qt.WidgetShortcut)
    widget.addAction(act)
    entry = add_action(window, menu, key + ".menu", f"{text}\t{keys}" if keys else text, slot, tip=tip)
    entry.setProperty(SHOWN_KEYS, act.shortcut().toString(QKeySequence.NativeText))
    return act, entry
