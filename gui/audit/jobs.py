"""The engine jobs the Audit workspace starts: thin wrappers over ``engine.audit``, each run on the engine thread.
(Modules that load models are imported inside the job, so the window does not import torch.)"""
from __future__ import annotations


def queue_settings():
    from engine.audit.review import QueueSettings

    return QueueSettings()


def overview_job(project, run_id: int, settings):
    def job(ctx):
        from engine.audit.report.data import ReportSettings, collect

        return collect(project, run_id, ReportSettings(settings, bootstrap=0))

    return job


def face_job(project, result_id: int):
    def job(ctx):
        from engine.audit.crops import face_view

        return face_view(project, result_id)

    return job


def import_job(project, scores, features, model, version, aggregation):
    def job(ctx):
        from engine.audit.importer import import_scores

        ctx.progress(0, None, "checking every row")
        return import_scores(project, scores, features or None, model or None, version or None, None, aggregation)

    return job


def detector_job(project, spec, settings, media_ids=None):
    def job(ctx):  # a batch job: the runner's generator, started on the engine thread
        from engine.audit.runner.job import detector_job as make

        return (yield from make(project, spec, media_ids, settings)(ctx))

    return job


def report_job(project, run_id: int, path: str, settings):
    def job(ctx):
        from engine.audit.report import write_report
        from engine.audit.report.data import ReportSettings

        ctx.progress(0, None, "metrics, bootstrap and plots")
        return write_report(project, run_id, path, ReportSettings(settings))

    return job


def verify_job(project, path: str):
    def job(ctx):
        from engine.audit.report.verify import verify_report

        return verify_report(project, path)

    return job
