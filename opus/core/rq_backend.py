"""django-tasks on Redis through RQ, enqueuing only once the enqueuing transaction commits.

Opus records work and enqueues its task in one transaction (a job's row, a notification in the
outbox). The database backend gets that for free; RQ writes to Redis at once, so a worker could
pick a task up before its row is committed, or run one whose transaction then rolled back.
This backend keeps django-tasks-rq's behaviour and hands the job to Redis in
`transaction.on_commit` (at once outside a transaction). The task result's id is fixed before,
so callers can keep it.
"""

from __future__ import annotations

from typing import Any

import django_rq
from django.db import transaction
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job, RQBackend, failed_callback, success_callback
from rq.job import Callback, JobStatus


class OnCommitRQBackend(RQBackend):
    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        self.validate_task(task)
        result: TaskResult[Any] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )

        def push() -> None:
            queue = django_rq.get_queue(task.queue_name, job_class=Job)
            job = queue.create_job(
                task.module_path,
                args=args,
                kwargs=kwargs,
                job_id=result.id,
                status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
                on_failure=Callback(failed_callback),
                on_success=Callback(success_callback),
                meta={"backend_name": self.alias},
            )
            if task.run_after is None:
                queue.enqueue_job(job)
            else:
                queue.schedule_job(job, task.run_after)
            task_enqueued.send(type(self), task_result=result)

        transaction.on_commit(push)
        return result
