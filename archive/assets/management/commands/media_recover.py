from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from archive.assets.models import AssetStatus, MediaAsset
from archive.assets.tasks import enqueue_processing


class Command(BaseCommand):
    help = (
        "Re-queue assets a dead worker left behind: 'processing' with no progress for a while, "
        "or 'queued' with no task waiting. Safe to run any time (e.g. from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stale-minutes", type=int, default=30)

    def handle(self, *args, stale_minutes, **options):
        cutoff = timezone.now() - timedelta(minutes=stale_minutes)
        stuck = MediaAsset.objects.filter(
            status__in=[AssetStatus.PROCESSING, AssetStatus.QUEUED], updated_at__lt=cutoff
        )
        count = 0
        for asset in stuck.iterator():
            enqueue_processing(asset)
            count += 1
        self.stdout.write(f"re-queued {count} assets")
