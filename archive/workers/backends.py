"""The RQ task backend, kept from turning a curator's save into an error while Redis is down.

Every page save queues Wagtail's own bookkeeping: the reference index
(``wagtail.tasks.update_reference_index_task``) and the admin's search index (modelsearch's
``insert_or_update_object_task``). With RQ those tasks go to Redis, so a Redis that does not
answer turned every save in the admin into a 500, and the curator's edit was lost. Wagtail
runs these in the request by default (its immediate backend), so while the queue is away
they run there again. Any other
task still raises: its caller knows what to keep (an asset is marked and queued again by
the next worker beat: ``archive.assets.tasks.enqueue_processing``).
"""

from __future__ import annotations

import logging

from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_rq.backend import RQBackend
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

#: Whose tasks run where they were queued when the queue does not answer: Wagtail's and its
#: search package's bookkeeping (reference index, search index, focal points, file deletion).
RUN_HERE_WHILE_QUEUE_IS_DOWN = ("wagtail.", "modelsearch.")


class SturdyRQBackend(RQBackend):
    """RQ; a bookkeeping task the queue does not take runs in the request that queued it."""

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self._here = ImmediateBackend(alias, params)

    def enqueue(self, task, args, kwargs):
        try:
            return super().enqueue(task, args, kwargs)
        except (RedisConnectionError, RedisTimeoutError):
            if not task.module_path.startswith(RUN_HERE_WHILE_QUEUE_IS_DOWN):
                raise
            log.warning("the task queue did not answer; %s runs here", task.module_path)
            return self._here.enqueue(task, args, kwargs)
