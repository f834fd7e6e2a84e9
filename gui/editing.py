"""Editing annotations from the window: what is on screen, the undo stack, selection and labels.

A mixin of ``MainWindow`` (kept apart so each file has one job); tools and panels call these as
``window.push(command)``, ``window.undo()``, ``window.set_selection(ids)``, ``window.annotations_here()``.

An edit is committed on the GUI thread, on purpose: the next edit is built from what the project holds now
(a second brush stroke updates the mask the first one wrote), so an edit must be stored before the next one
is made, or a queued stroke could overwrite another. Each is one small indexed write in WAL mode (a few
milliseconds, measured 7 ms median on this project's 2-core CI machine with a full fsync); everything long
(import, models, export, verify, decoding) runs off this thread.
"""
from __future__ import annotations

import traceback
from typing import Callable

from annotation.commands import Batch, Command, Delete
from annotation.errors import BusyElsewhere, InputError, ProjectError
from annotation.model import Annotation, Label, Track
from gui.errors import short_message

UNLABELED_COLOR = "#a0a0a0"


class EditingMixin:
    # The video a SAM 2 propagation is writing masks into: its frames on screen may show records about to be
    # replaced, so the drawing tools wait (set by the SAM controller while it propagates).
    rewriting_media: int | None = None
    # Set by the SAM controller: the ids among the frame's annotations that a running propagation is replacing
    # (its newer masks are drawn and listed in their place).
    replaced_here: Callable[[list[Annotation]], set[int]] | None = None

    # --- annotations ---------------------------------------------------------------------------------------
    def annotations_here(self) -> list[Annotation]:
        """The annotations of the image, or of the video frame, on screen (read once per change)."""
        if self._here is None:
            if self.project is None or self.current_media is None:
                self._here = []
            else:
                frame = self.current_frame if self.current_media.is_video else None
                self._here = self.project.annotations.for_media(self.current_media.id, frame)
        return self._here

    def annotations_shown(self) -> list[Annotation]:
        """The annotations on screen, less those a running propagation is replacing on this frame."""
        here = self.annotations_here()
        gone = self.replaced_here(here) if self.replaced_here is not None else set()
        return [a for a in here if a.id not in gone] if gone else here

    def make_annotation(self, shape) -> Annotation:
        """A new manual annotation of the current label on the image or frame on screen."""
        m = self.current_media
        return Annotation(media_id=m.id, shape=shape, frame=self.current_frame if m.is_video else None,
                          label_id=self.current_label_id())

    def push(self, command: Command) -> Command | None:
        """Do ``command`` through the undo stack (committed at once); a failure is shown, never lost silently."""
        if self.undo_stack is None or self._waits_for_propagation(command, "edit it"):
            return None
        try:  # refused before anything is tried: nothing to mark "not saved"
            self.project.refuse_if_read_only("change it")
        except ProjectError as e:
            self.report_error(f"Not saved: {e}")
            return None
        try:
            return self.undo_stack.push(command)
        except Exception as e:
            self.saved_indicator.failed(short_message(e))
            self.report_error(f"Not saved: {short_message(e)}", traceback.format_exc())
            return None

    def undo(self) -> None:
        self._undo_redo("undo")

    def redo(self) -> None:
        self._undo_redo("redo")

    def _undo_redo(self, how: str) -> None:
        """Ctrl+Z / Ctrl+Shift+Z. While a shape is being drawn they act on it (a polygon's last vertex, say) and
        leave committed work alone; otherwise on the undo stack. A step that cannot be done is said, with why."""
        if self.undo_stack is None:
            return
        if self.tools.undo_draft() if how == "undo" else self.tools.redo_draft():
            self._update_undo_actions()
            return
        stack = self.undo_stack
        if self._waits_for_propagation(stack.upcoming(how), f"{how} this step"):
            return
        text = _in_sentence(stack.undo_text if how == "undo" else stack.redo_text)
        what = f"{how} {text}" if text else how
        try:
            getattr(stack, how)()
        except BusyElsewhere as e:  # for now only: the step stays where it is, to be done once that is over
            self.report_error(f"Could not {what} now: {short_message(e)}; nothing was changed, and the step stays "
                              f"on the {how} list")
        except InputError as e:
            # The project refuses the step for good (another program deleted what it changes): it stays refused,
            # so it leaves the stack, and the steps behind it can be reached. Nothing was changed or lost.
            stack.drop(how)
            self._update_undo_actions()
            why = short_message(e)
            unchanged = "" if why.endswith("nothing was changed") else "; nothing was changed"
            self.report_error(f"Could not {what}: {why}{unchanged}. That step is off the {how} list now.",
                              traceback.format_exc())
        except Exception as e:
            self.saved_indicator.failed(short_message(e))
            self.report_error(f"Could not {what}: {short_message(e)}", traceback.format_exc())

    def _waits_for_propagation(self, command: Command | None, what: str) -> bool:
        """Whether ``command`` changes masks or tracks of the video SAM 2 is propagating, which waits (says so):
        it would change records the propagation is replacing, or take away the track it is storing masks for
        (an undo of accepting the object being tracked did, mid-way). Other media, and that video's emotion
        segments, can be edited meanwhile."""
        if command is None or self.rewriting_media is None:
            return False
        if not any(isinstance(r, (Annotation, Track)) and r.media_id == self.rewriting_media
                   for r in command.records()):
            return False
        self.say_propagating(what)
        return True

    def say_propagating(self, what: str) -> None:
        """Why an edit of the video being propagated waits (``what``: "edit it", "undo this step")."""
        self.statusBar().showMessage(f"This video is being propagated: {what} once that is done (or cancelled)",
                                     6000)

    def delete_selection(self) -> None:
        doomed = [a for a in self.annotations_here() if a.id in self.selected_ids]
        if not doomed:
            return
        text = f"Delete {doomed[0].kind}" if len(doomed) == 1 else f"Delete {len(doomed)} annotations"
        self.push(Batch([Delete(a) for a in doomed], text))

    def _command_done(self, command: Command, how: str) -> None:
        self._here = None
        self.saved_indicator.saved(command.text if how == "do" else f"{how.title()} of {_in_sentence(command.text)}")
        if how != "do":
            self._show_where(command)
        present = {a.id for a in self.annotations_here()}
        self.selected_ids &= present
        self.canvas.notify_layers("annotations_changed")
        self._update_undo_actions()
        self.annotationsChanged.emit()
        self.selectionChanged.emit()
        self.commandApplied.emit(command, how)

    def reload_annotations(self) -> None:
        """The project's annotations changed outside the undo stack (a model's batch job stored masks)."""
        self._here = None
        self.selected_ids &= {a.id for a in self.annotations_here()}
        self.canvas.notify_layers("annotations_changed")
        self.annotationsChanged.emit()
        self.selectionChanged.emit()

    def _show_where(self, command: Command) -> None:
        """After an undo or redo, go to the image or frame it changed, so the user sees what changed."""
        records = [r for r in command.records() if isinstance(r, Annotation)]
        if not records:
            return
        r = records[0]
        if self.current_media is None or r.media_id != self.current_media.id:
            self.set_media(r.media_id, r.frame)
        elif r.frame is not None and r.frame != self.current_frame:
            self.seek(r.frame)

    def update_undo_actions(self) -> None:
        """Edit → Undo and Redo say what they will do now (tools call this when a draft starts or ends)."""
        self._update_undo_actions()

    def _update_undo_actions(self) -> None:
        stack = self.undo_stack  # (an empty stack is falsy: it has a length)
        tools = getattr(self, "tools", None)
        draft = tools.draft_tool() if tools is not None and stack is not None else None
        for key, verb in (("edit.undo", "Undo"), ("edit.redo", "Redo")):
            act = self.action(key)
            if act is None:
                continue
            if draft is not None:  # Ctrl+Z and Ctrl+Shift+Z act on the shape being drawn
                can = True if verb == "Undo" else draft.can_redo_draft()
                text = draft.undo_draft_text() if can else ""
            else:
                can = stack is not None and (stack.can_undo if verb == "Undo" else stack.can_redo)
                text = (stack.undo_text if verb == "Undo" else stack.redo_text) if can else ""
            act.setEnabled(can)
            act.setText(f"{verb} {_in_sentence(text)}" if text else verb)

    def set_selection(self, ids: set[int]) -> None:
        ids = set(ids)
        if ids == self.selected_ids:
            return
        self.selected_ids = ids
        self.canvas.annotation_layer.refresh()
        self.selectionChanged.emit()

    # --- labels --------------------------------------------------------------------------------------------
    def label_color(self, label_id: int | None) -> str:
        return self._colors.get(label_id, UNLABELED_COLOR)

    def label_name(self, label_id: int | None) -> str:
        return next((l.name for l in self.labels if l.id == label_id), "unlabelled")

    def current_label_id(self) -> int | None:
        return self.current_label.id if self.current_label else None

    def set_current_label(self, label: Label | None) -> None:
        if label == self.current_label:
            return
        self.current_label = label
        if label is not None and self.project is not None:  # (the next session draws with it again)
            self.settings.set(self.place_key("label"), label.id)
        self.currentLabelChanged.emit(label)

    def describe(self, a: Annotation) -> str:
        score = f", score {a.score:.2f}" if a.score is not None else ""
        return f"{self.label_name(a.label_id)} · {a.kind} · {a.source}{score} · #{a.id}"


def _in_sentence(text: str) -> str:
    """A step's name inside "Undo …": its first letter in lower case, unless it starts a name written in capitals
    ("Draw box" -> "draw box", "Whole-clip ER: anger" -> "whole-clip ER: anger", "SAM 2 click" stays)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]
