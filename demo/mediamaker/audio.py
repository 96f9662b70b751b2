"""Sound: test tones and silence, speech-like noise for benches, spoken text via espeak-ng.

The container always comes from the suffix (.wav .flac .mp3 .m4a); folk music is in
:mod:`.music`.
"""

from __future__ import annotations

import tempfile
import zlib
from pathlib import Path

from ._tools import atomic_output, check_suffix, ffmpeg, metadata_args, run, tool

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a")


def codec_args(suffix: str, *, stereo: bool) -> list[str]:
    """ffmpeg codec options per container; bitrates sized for speech (mono) or music."""
    if suffix == ".wav":
        return ["-c:a", "pcm_s16le"]
    if suffix == ".flac":
        return ["-c:a", "flac"]
    if suffix == ".mp3":
        return ["-c:a", "libmp3lame", "-b:a", "192k" if stereo else "96k"]
    return ["-c:a", "aac", "-b:a", "160k" if stereo else "96k", "-movflags", "+faststart"]


def _lavfi(path: Path, sources: list[str], *extra: str, stereo: bool, title: str) -> Path:
    """Encode ffmpeg's generated ``sources`` (lavfi graphs) into ``path``."""
    path = Path(path)
    suffix = check_suffix(path, AUDIO_SUFFIXES, "audio")
    inputs = [arg for source in sources for arg in ("-f", "lavfi", "-i", source)]
    with atomic_output(path) as tmp:
        ffmpeg(
            *inputs,
            *extra,
            *codec_args(suffix, stereo=stereo),
            *metadata_args(title),
            str(tmp),
            what=f"ffmpeg ({title})",
        )
    return path


def tone(path: Path, seconds: float = 2.0, *, frequency: float = 440) -> Path:
    """A mono sine tone at 44.1 kHz: the smallest sound a test can check a duration on."""
    if seconds <= 0:  # ffmpeg's sine source reads 0 as "for ever"
        raise ValueError("a tone needs a positive length; use silence() for an empty recording")
    return _lavfi(
        path,
        [f"sine=frequency={frequency}:duration={seconds}"],
        "-ac",
        "1",
        stereo=False,
        title=f"Test tone {frequency} Hz",
    )


def silence(path: Path, seconds: float = 0.0) -> Path:
    """Mono 8 kHz silence; ``seconds=0`` gives a valid file with no samples at all."""
    return _lavfi(
        path, ["anullsrc=r=8000:cl=mono"], "-t", str(seconds), stereo=False, title="Silence"
    )


def speech_like(path: Path, seconds: float) -> Path:
    """Stereo 48 kHz audio that encodes like a long field interview, made in seconds.

    Pink noise plus two voice-band tones, amplitude-modulated at syllable rate (~4 Hz) with a
    pause every few seconds, slightly different per channel: speech codecs and silence
    detection work on it as on talk, unlike on a pure tone.
    """
    graph = (
        "[0][1][2]amix=inputs=3:weights=1 0.6 0.4,"
        "volume='(0.55+0.45*sin(2*PI*4.1*t))*if(lt(mod(t,6.5),4.8),1,0.08)':eval=frame,"
        "aformat=sample_fmts=s16:channel_layouts=stereo,"
        "pan=stereo|c0=c0|c1=0.8*c1"
    )
    sources = [
        f"anoisesrc=color=pink:sample_rate=48000:amplitude=0.25:duration={seconds}",
        f"sine=frequency=180:sample_rate=48000:duration={seconds}",
        f"sine=frequency=420:sample_rate=48000:duration={seconds}",
    ]
    return _lavfi(
        path,
        sources,
        "-filter_complex",
        graph,
        "-ar",
        "48000",
        "-ac",
        "2",
        stereo=True,
        title="Speech-like noise",
    )


#: espeak-ng speaking rate (words per minute) per voice; slower for tonal languages.
_SPEECH_RATE = {"cmn": 140, "vi": 135}


def speech(path: Path, *, text: str, voice: str = "cmn", seconds_pad: float = 0.6) -> Path:
    """Write a synthetic dialect recording of ``text`` and return ``path``.

    Why: dialect entries need audio for the player, transcoding and waveform steps. espeak-ng
    speaks it (``cmn`` Mandarin, ``en``, or ``vi``, a usable stand-in for tonal Hmub text in
    its Latin orthography); a little reflection and faint room tone are mixed in, and
    ``seconds_pad`` of room tone before and after, because a field recording never starts on
    digital silence and silence detection in the pipeline should see realistic input.
    Output is mono 22 050 Hz.
    """
    path = Path(path)
    suffix = check_suffix(path, AUDIO_SUFFIXES, "audio")
    if not text.strip():
        raise ValueError("speech needs some text to speak")
    if seconds_pad < 0:
        raise ValueError("seconds_pad must not be negative")
    espeak = tool("espeak-ng")
    pad_ms = round(seconds_pad * 1000)
    seed = zlib.crc32(f"{voice}:{text}".encode())
    with tempfile.TemporaryDirectory(prefix="demo-speech-") as work:
        raw = Path(work) / "speech.wav"
        # Text goes in on stdin so that text starting with "-" is never read as an option.
        rate = str(_SPEECH_RATE.get(voice, 150))
        run(
            [espeak, "-v", voice, "-s", rate, "-w", str(raw), "--stdin"],
            what=f"espeak-ng (voice {voice!r})",
            stdin=text.encode("utf-8"),
        )
        graph = (
            f"[0:a]aresample=22050,highpass=f=80,volume=0.7,aecho=0.8:0.7:23|41:0.12|0.06,"
            f"adelay=delays={pad_ms}:all=1,apad=pad_dur={seconds_pad}[voice];"
            f"anoisesrc=r=22050:color=pink:amplitude=0.006:seed={seed % 2**31},"
            f"lowpass=f=2500,highpass=f=60[room];"
            f"[voice][room]amix=inputs=2:duration=first:normalize=0[out]"
        )
        with atomic_output(path) as tmp:
            ffmpeg(
                "-i",
                str(raw),
                "-filter_complex",
                graph,
                "-map",
                "[out]",
                "-ac",
                "1",
                "-ar",
                "22050",
                *codec_args(suffix, stereo=False),
                *metadata_args(f"Demo speech ({voice})"),
                str(tmp),
                what="ffmpeg (mixing speech)",
            )
    return path
