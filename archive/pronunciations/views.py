"""The audio door: a pronunciation's recording, only while the policy lets it be heard."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from archive.assets.views import ranged_file_response
from archive.core.http import read_only_door, share

from .models import Pronunciation


def _audio(request, pk: int):
    pron = get_object_or_404(Pronunciation.objects.shown().select_related("audio"), pk=pk)
    if not pron.audio.file:
        raise Http404
    response = ranged_file_response(request, pron.audio.file, pron.audio.content_type)
    return share(response, True, same_for_every_reader=True)


audio = read_only_door(_audio)
