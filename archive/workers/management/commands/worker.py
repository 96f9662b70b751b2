"""``manage.py worker [--queue-name default,media] [--batch]``: the task worker, watched.

Runs the configured backend's own worker (``db_worker`` for the database queue, ``rqworker``
for RQ) inside a heartbeat: ``/healthz`` answers 503 when no worker is beating, and every
beat publishes and expires scheduled pages (no cron to remember) and recovers what a dead
worker left (stale assets, orphaned task rows, work folders).
"""

from __future__ import annotations

import os
import socket
import uuid

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from archive.assets.recovery import fail_orphaned_task_rows, remove_orphan_workdirs
from archive.assets.tasks import requeue_stale
from archive.items.consent import take_down_lapsed
from archive.marketplace import retention as marketplace
from archive.workers.heartbeat import Beating, alive


def recover() -> None:
    """What each beat does besides beating: scheduled publishing and expiry (Wagtail's
    ``go_live_at`` / ``expire_at``), withdrawals entered for today, then recovery of what
    dead workers left."""
    call_command("publish_scheduled", verbosity=0)
    take_down_lapsed()
    marketplace.on_beat()  # purge old enquiries; lapsed marketplace consents leave search
    requeue_stale()
    fail_orphaned_task_rows({h.worker_id for h in alive()})
    remove_orphan_workdirs()


class Command(BaseCommand):
    help = "Run the task worker with a heartbeat, recovering what dead workers left behind."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default=",".join(settings.TASK_QUEUES))
        parser.add_argument("--batch", action="store_true", help="stop when the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, queue_name, batch, interval, **options):
        worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        with Beating(worker_id, queue_name, on_beat=recover):
            recover()
            if settings.MHA_TASKS == "rq":
                queues = queue_name.split(",")
                call_command("rqworker", *queues, burst=batch, job_class="django_tasks_rq.Job")
            else:
                flags = ["--batch"] if batch else []
                call_command(
                    "db_worker",
                    "--queue-name",
                    queue_name,
                    "--worker-id",
                    worker_id,
                    "--interval",
                    str(interval),
                    "--no-reload",
                    *flags,
                )
