"""Background work on Redis through RQ: the same tasks, enqueued once their transaction commits.

Runs against the Redis named by OPUS_TEST_REDIS (CI sets it to the local server's database 15);
skipped, saying so, when it is not set. The worker is RQ's own, in burst mode in this process,
so the tasks see this test's database.
"""

import os

import pytest

from opus.core.models import BackgroundJob, JobStatus

REDIS = os.environ.get("OPUS_TEST_REDIS")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not REDIS, reason="OPUS_TEST_REDIS is not set (a Redis URL for RQ's tests)"),
]


@pytest.fixture
def rq(settings):
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "opus.core.rq_backend.OnCommitRQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS}}
    django_rq.get_connection("default").flushdb()
    yield django_rq
    django_rq.get_connection("default").flushdb()


def work(django_rq) -> None:
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=Job)
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


def test_a_job_reaches_redis_only_when_its_transaction_commits(
    client, cast, rq, django_capture_on_commit_callbacks
):
    client.force_login(cast.auditor)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        client.post("/audit/verify/")
    assert rq.get_queue("default").count == 0  # not yet committed
    for callback in pending:
        callback()
    assert rq.get_queue("default").count == 1


def test_rqs_worker_runs_the_job_and_its_page_shows_the_result(
    client, cast, rq, django_capture_on_commit_callbacks
):
    client.force_login(cast.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/audit/verify/")
    work(rq)
    job = BackgroundJob.objects.get()
    assert job.status == JobStatus.SUCCEEDED and job.result["broken_at"] is None
    assert "Finished" in client.get(response["Location"]).content.decode()


def test_the_scheduler_enqueues_periodic_work_on_redis(rq, django_capture_on_commit_callbacks):
    from opus.core.schedule import run_due

    with django_capture_on_commit_callbacks(execute=True):
        enqueued = run_due()
    assert rq.get_queue("default").count == len(enqueued) > 0
    work(rq)
    assert rq.get_queue("default").count == 0


def test_readyz_reports_redis_ready(client, rq):
    assert client.get("/readyz").json()["task_queue"] == "ok"
