"""System checks: a missing ffmpeg or libvips is reported at start-up, not at the first upload."""

from __future__ import annotations

import shutil

from django.core.checks import Warning, register


@register()
def media_tools_check(app_configs, **kwargs):
    problems = []
    for tool in ("ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            problems.append(
                Warning(
                    f"{tool} is not installed: audio and video cannot be processed.",
                    hint="Install the Debian package 'ffmpeg' (make install does).",
                    id="mha.W001",
                )
            )
    try:
        import pyvips  # noqa: F401
    except Exception as exc:  # pyvips raises OSError/ImportError when libvips is absent
        problems.append(
            Warning(
                f"libvips cannot be loaded ({exc}): images cannot be processed.",
                hint="Install the Debian package 'libvips42' (make install does).",
                id="mha.W002",
            )
        )
    return problems
