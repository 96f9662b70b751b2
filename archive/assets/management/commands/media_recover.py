from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from archive.assets.models import AssetStatus, MediaAsset
from archive.assets.recovery import remove_orphan_workdirs
from archive.assets.tasks import enqueue_processing, requeue_stale


class Command(BaseCommand):
    help = (
        "Re-queue assets a dead worker left behind ('processing' with no sign of life) and "
        "assets 'queued' for longer than --stale-minutes; remove work folders of dead "
        "processes. Workers do this by themselves; this is for doing it by hand. An asset a "
        "live worker is processing is never taken from it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stale-minutes", type=int, default=30)

    def handle(self, *args, stale_minutes, **options):
        older_than = timedelta(minutes=stale_minutes)
        count = len(requeue_stale(older_than))
        waiting = MediaAsset.objects.filter(
            status=AssetStatus.QUEUED, updated_at__lt=timezone.now() - older_than
        )
        for asset in waiting.iterator():
            enqueue_processing(asset)
            count += 1
        folders = remove_orphan_workdirs()
        self.stdout.write(f"re-queued {count} assets; removed {len(folders)} work folders")
