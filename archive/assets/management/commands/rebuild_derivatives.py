from django.core.management.base import BaseCommand

from archive.assets.models import AssetStatus, MediaAsset
from archive.assets.tasks import enqueue_processing, process_asset


class Command(BaseCommand):
    help = "Rebuild derivatives from originals: all, failed ones, or given asset ids."

    def add_arguments(self, parser):
        parser.add_argument("asset_ids", nargs="*", type=int)
        parser.add_argument("--failed", action="store_true", help="only failed assets")
        parser.add_argument("--wait", action="store_true", help="rebuild now, not in the worker")

    def handle(self, *args, asset_ids, failed, wait, **options):
        assets = MediaAsset.objects.order_by("pk")
        if asset_ids:
            assets = assets.filter(pk__in=asset_ids)
        if failed:
            assets = assets.filter(status=AssetStatus.FAILED)
        total = assets.count()
        for n, asset in enumerate(assets.iterator(), 1):
            if wait:
                outcome = process_asset.call(asset.pk)
                self.stdout.write(f"[{n}/{total}] asset {asset.pk}: {outcome}")
            else:
                enqueue_processing(asset)
        if not wait:
            self.stdout.write(f"queued {total} assets")
