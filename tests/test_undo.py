from annotation.commands import Add, Batch, Delete, UndoStack, Update
from annotation.model import Annotation
from annotation.shapes import Box
from storage.project import Project


def _image(project):
    return project.media.add_many([dict(kind="image", path="a.png", sha256="a" * 64, size_bytes=1, width=100,
                                        height=80)])[0]


def test_add_undo_redo_keeps_the_same_id_and_survives_reopen(project):
    media = _image(project)
    stack = UndoStack(project.store)
    cmd = stack.push(Add(Annotation(media_id=media.id, shape=Box(1, 2, 30, 40))))
    first_id = cmd.records()[0].id
    stack.undo()
    assert project.annotations.count() == 0
    stack.redo()
    assert [a.id for a in project.annotations.for_media(media.id)] == [first_id]
    root = project.root
    project.close()
    with Project.open(root) as again:
        (a,) = again.annotations.for_media(media.id)
        assert a.shape == Box(1, 2, 30, 40) and a.annotator == "tester"


def test_update_and_delete_undo(project):
    media = _image(project)
    stack = UndoStack(project.store)
    a = stack.push(Add(Annotation(media_id=media.id, shape=Box(0, 0, 10, 10)))).records()[0]
    moved = a.with_(shape=Box(5, 5, 15, 15))
    stack.push(Update(a, moved))
    assert project.annotations.get(a.id).shape == Box(5, 5, 15, 15)
    stack.push(Delete(project.annotations.get(a.id)))
    assert project.annotations.get(a.id) is None
    stack.undo()
    assert project.annotations.get(a.id).shape == Box(5, 5, 15, 15)
    stack.undo()
    assert project.annotations.get(a.id).shape == Box(0, 0, 10, 10)
    assert stack.redo_text == "Edit annotation"


def test_a_thousand_steps_undo_and_redo(project):
    media = _image(project)
    stack = UndoStack(project.store)
    for i in range(1200):
        stack.push(Add(Annotation(media_id=media.id, shape=Box(i, 0, i + 1, 1))))
    assert project.annotations.count() == 1200
    for _ in range(1200):
        assert stack.undo() is not None
    assert project.annotations.count() == 0 and not stack.can_undo
    for _ in range(1200):
        stack.redo()
    assert project.annotations.count() == 1200
    assert project.audit.verify() == []


def test_a_batch_that_fails_leaves_the_project_as_it_was(project):
    media = _image(project)
    stack = UndoStack(project.store)
    good = Add(Annotation(media_id=media.id, shape=Box(0, 0, 1, 1)))
    bad = Add(Annotation(media_id=999, shape=Box(0, 0, 1, 1)))  # no such media: the foreign key refuses it
    try:
        stack.push(Batch([good, bad]))
    except Exception:
        pass
    assert project.annotations.count() == 0
    assert not stack.can_undo
