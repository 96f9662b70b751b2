"""Folk music: lusheng ensembles, flying songs, drinking, ancient and love songs, drums.

Every distinct note is rendered once with sox ``synth``; ffmpeg sequences, pans and mixes
the tracks. Needs ``sox`` and ``ffmpeg``.
"""

from __future__ import annotations

import math
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._tools import atomic_output, check_suffix, ffmpeg, metadata_args, run, tool
from .audio import AUDIO_SUFFIXES, codec_args

MUSIC_STYLES = ("lusheng", "flying-song", "drinking-song", "ancient-song", "love-song", "drum")

#: gong, shang, jiao, zhi, yu - the anhemitonic pentatonic of Miao (and Han) folk music.
_PENTATONIC = (0, 2, 4, 7, 9)
_SR = 44100


@dataclass(frozen=True)
class _Note:
    """One event on a track: pitches (MIDI numbers; empty = rest) held for ``dur`` seconds.

    ``glide`` is where the pitch slides in from (semitones relative to the target, so -3
    scoops up from a minor third below), ``fall`` a slide off at the end (semitones).
    """

    pitches: tuple[float, ...]
    dur: float
    glide: float = 0.0
    fall: float = 0.0
    vel: float = 1.0


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _scale(gong: int, low: int, high: int) -> list[int]:
    """Pentatonic MIDI notes between ``low`` and ``high`` built on ``gong``."""
    return [n for n in range(low, high + 1) if (n - gong) % 12 in _PENTATONIC]


def _f(value: float) -> str:
    return f"{value:.4f}"


def _pitch_args(note: _Note, wave: str) -> list[str]:
    """synth channel specs for each pitch, starting from the glide's origin when scooping."""
    return [arg for p in note.pitches for arg in (wave, _f(_hz(p + note.glide)))]


def _bend_args(note: _Note) -> list[str]:
    """sox ``bend`` for scoops into and falls off a note (bends are relative and chained)."""
    bends: list[str] = []
    used = 0.0
    if note.glide:
        t = min(0.25, note.dur * 0.35)
        bends.append(f"0,{-note.glide * 100:.0f},{t:.3f}")
        used = t
    if note.fall:
        t = min(0.35, note.dur * 0.4)
        start = max(0.0, note.dur - t - 0.05 - used)
        bends.append(f"{start:.3f},{note.fall * 100:.0f},{t:.3f}")
    return ["bend", *bends] if bends else []


def _envelope(dur: float, attack: float, release: float, kind: str = "h") -> list[str]:
    attack = min(attack, dur / 3)
    release = min(release, dur / 2)
    return ["fade", kind, _f(attack), _f(dur), _f(release)]


#: Instrument -> function(note) -> (number of synth channels, sox effect arguments).
_Instrument = Callable[[_Note], tuple[int, list[str]]]

#: Vowel formants (Hz) for the sung voice, so different singers sound different.
_VOWELS = {"a": (750, 1150), "o": (480, 850), "e": (420, 1950), "i": (300, 2300)}


def _voice(vowel: str) -> _Instrument:
    f1, f2 = _VOWELS[vowel]

    def render(note: _Note) -> tuple[int, list[str]]:
        d = note.dur
        return 1, [
            "synth",
            _f(d),
            *_pitch_args(note, "sawtooth"),
            "vol",
            "0.3",
            *_bend_args(note),
            "lowpass",
            "3400",
            "equalizer",
            str(f1),
            "1.4q",
            "+9",
            "equalizer",
            str(f2),
            "1.8q",
            "+6",
            "highpass",
            "90",
            *_envelope(d, 0.07, 0.16),
            "vol",
            _f(note.vel),
        ]

    return render


def _pairs(note: _Note, second: str, detune: float) -> list[str]:
    """Two slightly detuned oscillators per pitch: the beating of free reeds."""
    return [
        arg for p in note.pitches for arg in ("sawtooth", _f(_hz(p)), second, _f(_hz(p) * detune))
    ]


def _reed(note: _Note) -> tuple[int, list[str]]:
    """Lusheng pipes: each pitch is a detuned sawtooth/square pair (free-reed beating)."""
    d = note.dur
    return 2 * len(note.pitches), [
        "synth",
        _f(d),
        *_pairs(note, "square", 1.003),
        "remix",
        "-",
        "lowpass",
        "2300",
        "highpass",
        "110",
        "tremolo",
        "5.6",
        "14",
        *_envelope(d, 0.05, 0.12, "q"),
        "vol",
        _f(0.5 * note.vel),
    ]


def _drone(note: _Note) -> tuple[int, list[str]]:
    d = note.dur
    return 2 * len(note.pitches), [
        "synth",
        _f(d),
        *_pairs(note, "sawtooth", 0.997),
        "remix",
        "-",
        "lowpass",
        "900",
        "tremolo",
        "2.7",
        "12",
        *_envelope(d, 0.8, 1.0, "q"),
        "vol",
        _f(0.4 * note.vel),
    ]


def _mangtong(note: _Note) -> tuple[int, list[str]]:
    """Bamboo-tube bass (芒筒) that pulses under a lusheng ensemble."""
    hz, d = _hz(note.pitches[0]), note.dur
    return 2, [
        "synth",
        _f(d),
        "sine",
        _f(hz),
        "triangle",
        _f(hz * 2),
        "remix",
        "1v0.8,2v0.25",
        *_envelope(d, 0.03, d * 0.6, "t"),
        "vol",
        _f(note.vel),
    ]


def _leaf(note: _Note) -> tuple[int, list[str]]:
    """Leaf-blowing (吹木叶) / flute-like tone: near-sine with some breath noise."""
    hz, d = _hz(note.pitches[0] + note.glide), note.dur
    return 3, [
        "synth",
        _f(d),
        "sine",
        _f(hz),
        "sine",
        _f(hz * 2),
        "pinknoise",
        "remix",
        "1v0.75,2v0.12,3v0.05",
        *_bend_args(note),
        "highpass",
        "200",
        *_envelope(d, 0.08, 0.2),
        "vol",
        _f(0.8 * note.vel),
    ]


def _pluck(note: _Note) -> tuple[int, list[str]]:
    """Plucked jaw-harp-like accompaniment (口弦): a twangy decaying pluck."""
    d = note.dur
    return 1, [
        "synth",
        _f(d),
        "pluck",
        _f(_hz(note.pitches[0])),
        "0",
        "0",
        "60",
        "lowpass",
        "1800",
        "equalizer",
        "900",
        "2q",
        "+8",
        *_envelope(d, 0.005, d * 0.7, "l"),
        "vol",
        _f(0.6 * note.vel),
    ]


def _strike(note: _Note, ring: float, sound: list[str], attack: str, gain: float) -> list[str]:
    """A struck ``sound`` that rings at most ``ring`` seconds, then rests to the note's end."""
    hit = min(note.dur, ring)
    fx = [
        "synth",
        _f(hit),
        *sound,
        "fade",
        "l",
        attack,
        _f(hit),
        _f(hit * 0.95),
        "vol",
        _f(gain * note.vel),
    ]
    return fx + ["pad", "0", _f(note.dur - hit)] if note.dur > hit else fx


def _wood_drum(note: _Note) -> tuple[int, list[str]]:
    """Log/wooden drum (木鼓): a short downward pitch sweep plus a thud of noise."""
    sound = ["sine", "150/52", "brownnoise", "remix", "1v0.9,2v0.35", "lowpass", "1200"]
    return 2, _strike(note, 0.45, sound, "0.002", 1.0)


def _wood_click(note: _Note) -> tuple[int, list[str]]:
    """Stick on the drum rim or a wooden clapper: a very short bright click."""
    sound = ["square", "1150", "whitenoise", "remix", "1v0.25,2v0.6", "bandpass", "1900", "1.2q"]
    return 2, _strike(note, 0.07, sound, "0.001", 0.8)


def _bronze(note: _Note) -> tuple[int, list[str]]:
    """Bronze drum (铜鼓): inharmonic metallic partials with a long ring."""
    base = _hz(note.pitches[0])
    ratios = (1.0, 1.51, 2.08, 2.74, 3.43, 4.27)
    specs = [arg for r in ratios for arg in ("sine", _f(base * r))]
    weights = ",".join(f"{i + 1}v{0.55 / (1 + i * 0.7):.3f}" for i in range(len(ratios)))
    d = note.dur
    return len(ratios), [
        "synth",
        _f(d),
        *specs,
        "remix",
        weights,
        "fade",
        "l",
        "0.002",
        _f(d),
        _f(d * 0.97),
        "vol",
        _f(note.vel),
    ]


@dataclass
class _Track:
    """One layer of the mix: an instrument, its notes, and how ffmpeg should place it."""

    instrument: _Instrument
    notes: list[_Note]
    gain: float = 1.0
    pan: float = 0.0  # -1 left .. +1 right
    extra_filters: str = ""  # ffmpeg filters applied to this layer only (vibrato, chorus)


def _phrase_rhythm(rng: random.Random, beats: int, beat: float) -> list[float]:
    """Split ``beats`` into note lengths (mostly 1 or 2 beats, the last note long)."""
    out: list[float] = []
    left = beats
    while left > 2:
        step = rng.choice((1, 1, 1, 2, 0.5, 0.5)) if left > 3 else 1
        if step == 0.5:
            out += [0.5 * beat, 0.5 * beat]
            left -= 1
            continue
        out.append(step * beat)
        left -= step
    out.append(left * beat)
    return out


def _walk(rng: random.Random, scale: list[int], start: int, n: int, leap: int = 2) -> list[int]:
    """A pentatonic random walk, mostly stepwise - folk melodies rarely leap far."""
    i = start
    notes = []
    for _ in range(n):
        notes.append(scale[i])
        i = max(0, min(len(scale) - 1, i + rng.choice((-1, -1, 1, 1, 0, -leap, leap))))
    return notes


def _nearest(scale: list[int], target: int) -> int:
    return min(range(len(scale)), key=lambda k: abs(scale[k] - target))


def _compose(style: str, seconds: float, rng: random.Random) -> tuple[list[_Track], str]:
    """Return the tracks for a style plus the ffmpeg 'space' filter for the whole mix."""
    gong = rng.choice((55, 57, 60, 62, 65))  # G, A, C, D, F
    room = "aecho=0.8:0.8:45|95:0.22|0.12"
    total = seconds + 1.0
    tracks: list[_Track] = []

    if style == "lusheng":
        beat = 60 / rng.uniform(96, 112)
        sc = _scale(gong, gong + 5, gong + 24)
        notes: list[_Note] = []
        bass: list[_Note] = []
        t, idx = 0.0, _nearest(sc, gong + 12)
        while t < total:
            for length in rng.choice(([2, 1, 1], [1, 1, 2], [2, 2], [1, 1, 1, 1])):
                top = sc[idx]
                under = [n for n in sc if top - 8 <= n <= top - 3][:2] or [top - 7]
                chord = (top, *under, top - 12)
                notes.append(_Note(chord, length * beat, vel=rng.uniform(0.85, 1.0)))
                idx = max(2, min(len(sc) - 1, idx + rng.choice((-1, 0, 1, 1, -2))))
                t += length * beat
        for _ in range(int(total / (2 * beat)) + 1):
            bass.append(_Note((gong - 12,), 2 * beat))
        tracks += [
            _Track(_reed, notes, gain=0.9, pan=-0.15),
            _Track(_drone, [_Note((gong - 12, gong - 5), total)], gain=0.6, pan=0.2),
            _Track(_mangtong, bass, gain=0.8, pan=0.0),
        ]
    elif style == "flying-song":
        sc = _scale(gong, gong + 7, gong + 26)
        notes = [_Note((), 0.4)]
        t = 0.4
        while t < total:
            high = rng.randrange(len(sc) - 4, len(sc))
            phrase = [_Note((sc[high],), rng.uniform(1.8, 2.8), glide=-rng.choice((3, 5)))]
            for p in _walk(rng, sc, max(0, high - 1), rng.randint(3, 5)):
                phrase.append(_Note((p,), rng.choice((0.45, 0.6, 0.9))))
            last = sc[_nearest(sc, gong + 9 + 12 * rng.randint(0, 1))]
            phrase.append(_Note((last,), rng.uniform(1.6, 2.4), fall=-rng.choice((2, 4))))
            phrase.append(_Note((), rng.uniform(0.7, 1.2)))
            notes += phrase
            t += sum(n.dur for n in phrase)
        room = "aecho=0.8:0.7:60|420:0.25|0.2"  # open valley: a late mountain echo
        tracks.append(
            _Track(_voice("a"), notes, gain=1.0, pan=0.0, extra_filters="vibrato=f=5.4:d=0.22")
        )
    elif style == "drinking-song":
        beat = 60 / rng.uniform(88, 100)
        sc = _scale(gong, gong - 3, gong + 14)
        call: list[_Note] = []
        answer: list[_Note] = []
        claps: list[_Note] = []
        t = 0.0
        while t < total:
            rhythm = _phrase_rhythm(rng, 8, beat)
            pitches = _walk(rng, sc, rng.randrange(3, len(sc) - 2), len(rhythm))
            pitches[-1] = sc[_nearest(sc, gong + 9)]
            phrase = [
                _Note((p,), d, glide=-2 if d > beat * 1.5 else 0)
                for p, d in zip(pitches, rhythm, strict=True)
            ]
            length = sum(n.dur for n in phrase)
            call += phrase + [_Note((), length)]
            reply = [
                _Note((p - 12 if p > gong + 7 else p,), n.dur)
                for p, n in zip(pitches, phrase, strict=True)
            ]
            reply[-1] = _Note(reply[-1].pitches, reply[-1].dur, fall=-2)
            answer += [_Note((), length), *reply]
            t += 2 * length
        for _ in range(int(total / beat) + 1):
            claps.append(_Note((0,), beat, vel=rng.uniform(0.5, 0.8)))
        tracks += [
            _Track(_voice("a"), call, gain=1.0, pan=-0.35, extra_filters="vibrato=f=5.8:d=0.12"),
            _Track(
                _voice("o"),
                answer,
                gain=0.9,
                pan=0.35,
                extra_filters="chorus=0.6:0.9:45|60|75:0.5|0.45|0.4:0.3|0.4|0.35:2|1.6|2.3",
            ),
            _Track(_wood_click, claps, gain=0.35, pan=0.1),
        ]
    elif style == "ancient-song":
        beat = 60 / rng.uniform(54, 64)
        low = gong - 12
        sc = _scale(gong, low - 3, low + 10)
        singers = ((_voice("o"), 0, -0.25), (_voice("e"), 2, 0.25))
        parts: list[list[_Note]] = [[], []]
        t, turn = 0.0, 0
        while t < total:
            home = _nearest(sc, low + (2 if turn % 2 else 0))
            phrase: list[_Note] = []
            for _ in range(rng.randint(5, 8)):
                i = max(0, min(len(sc) - 1, home + rng.choice((0, 0, 1, -1, 1))))
                phrase.append(_Note((sc[i],), beat * rng.choice((1, 1, 0.5, 1.5))))
            phrase.append(_Note((sc[home],), beat * rng.uniform(2.5, 3.5), fall=-2))
            phrase.append(_Note((), beat * 0.8))
            length = sum(n.dur for n in phrase)
            parts[turn % 2] += phrase
            parts[(turn + 1) % 2].append(_Note((), length))
            t += length
            turn += 1
        for (instrument, _, pan), part in zip(singers, parts, strict=True):
            tracks.append(
                _Track(instrument, part, gain=1.0, pan=pan, extra_filters="vibrato=f=4.6:d=0.1")
            )
    elif style == "love-song":
        beat = 60 / rng.uniform(66, 76)
        sc = _scale(gong, gong + 9, gong + 26)
        melody: list[_Note] = [_Note((), beat)]
        harp: list[_Note] = []
        t = beat
        while t < total:
            rhythm = _phrase_rhythm(rng, 8, beat)
            pitches = _walk(rng, sc, rng.randrange(2, len(sc) - 3), len(rhythm), leap=1)
            for p, d in zip(pitches, rhythm, strict=True):
                melody.append(_Note((p,), d, glide=-2 if rng.random() < 0.25 else 0))
            melody.append(_Note((), beat))
            t += 9 * beat
        for _ in range(int(total / beat) + 1):
            harp.append(
                _Note((gong - 12 + rng.choice((0, 0, 7, 12)),), beat, vel=rng.uniform(0.6, 0.9))
            )
        tracks += [
            _Track(_leaf, melody, gain=0.9, pan=0.15, extra_filters="vibrato=f=5.8:d=0.15"),
            _Track(_pluck, harp, gain=0.55, pan=-0.3),
        ]
    elif style == "drum":
        step = 60 / rng.uniform(100, 126) / 2
        bars = ["X.x.X.x.", "X..xX.x.", "X.x.XxX.", "Xx.xX.x.", "X...X.xx"]
        clicks = ["..x...x.", ".x.x.x.x", "..xx..x.", "x.x.x.x."]
        pattern_a, pattern_b = rng.sample(bars, 2)
        click_pattern = rng.choice(clicks)
        wood: list[_Note] = []
        rim: list[_Note] = []
        bronze: list[_Note] = []
        bronze_pitch = rng.choice((43.0, 45.0, 47.0))
        n_bars = int(total / (8 * step)) + 1
        for bar in range(n_bars):
            pattern = pattern_b if bar % 4 == 3 else pattern_a
            for ch, cl in zip(pattern, click_pattern, strict=True):
                vel = 1.0 if ch == "X" else 0.65
                wood.append(_Note((0,), step, vel=vel) if ch != "." else _Note((), step))
                rim.append(_Note((0,), step, vel=0.7) if cl == "x" else _Note((), step))
            if bar % 2 == 0:
                bronze.append(_Note((bronze_pitch,), 16 * step, vel=0.8))
        tracks += [
            _Track(_wood_drum, wood, gain=1.7, pan=-0.2),
            _Track(_wood_click, rim, gain=0.7, pan=0.3),
            _Track(_bronze, bronze, gain=0.9, pan=0.05),
        ]
        room = "aecho=0.8:0.75:30|70:0.2|0.1"
    else:
        raise ValueError(f"Unknown music style {style!r}; choose from {', '.join(MUSIC_STYLES)}")
    return tracks, room


def _render_track(track: _Track, work: Path, sox: str, cache: dict[object, Path]) -> Path:
    """Render each distinct note once with sox and list the sequence for ffmpeg's concat."""
    lines = []
    for note in track.notes:
        key = (track.instrument, note) if note.pitches else ("rest", note.dur)
        seg = cache.get(key)
        if seg is None:
            seg = work / f"seg{len(cache):04d}.wav"
            if note.pitches:
                channels, effects = track.instrument(note)
            else:
                channels, effects = 1, ["trim", "0", _f(note.dur)]
            run(
                [
                    sox,
                    "-R",
                    "-V1",
                    "-c",
                    str(channels),
                    "-r",
                    str(_SR),
                    "-n",
                    "-c",
                    "1",
                    "-b",
                    "16",
                    str(seg),
                    *effects,
                ],
                what="sox (rendering a note)",
            )
            cache[key] = seg
        lines.append(f"file '{seg}'\n")
    listing = work / f"track{id(track)}.txt"
    listing.write_text("".join(lines), encoding="utf-8")
    return listing


def music(path: Path, *, style: str, seconds: float, seed: int) -> Path:
    """Write a synthetic Miao-style folk music recording and return ``path``.

    Why: collections of lusheng, flying songs and drum music need playable audio of a known
    length to exercise the player, transcoding and waveform previews. Melodies are pentatonic
    (gong-shang-jiao-zhi-yu) random walks shaped per style; every distinct note is rendered
    once with sox ``synth``, and ffmpeg sequences, pans, mixes, adds room acoustics, fades in
    and out and encodes. Stereo 44 100 Hz, exactly ``seconds`` long, same output for a seed.
    Styles: see :data:`MUSIC_STYLES`.
    """
    path = Path(path)
    suffix = check_suffix(path, AUDIO_SUFFIXES, "audio")
    if style not in MUSIC_STYLES:
        raise ValueError(f"Unknown music style {style!r}; choose from {', '.join(MUSIC_STYLES)}")
    if not 1.0 <= seconds <= 600:
        raise ValueError("seconds must be between 1 and 600")
    sox = tool("sox")
    tracks, room = _compose(style, seconds, random.Random(f"music:{style}:{seed}"))
    samples = round(seconds * _SR)  # exact length, whatever the note rounding
    fade_in = min(1.0, seconds / 6)
    fade_out = min(2.5, seconds / 4)
    with tempfile.TemporaryDirectory(prefix="demo-music-") as tmpdir:
        work = Path(tmpdir)
        cache: dict[object, Path] = {}
        inputs: list[str] = []
        chains: list[str] = []
        for i, track in enumerate(tracks):
            listing = _render_track(track, work, sox, cache)
            inputs += ["-f", "concat", "-safe", "0", "-i", str(listing)]
            left = track.gain * math.cos((track.pan + 1) * math.pi / 4)
            right = track.gain * math.sin((track.pan + 1) * math.pi / 4)
            extra = f"{track.extra_filters}," if track.extra_filters else ""
            chains.append(f"[{i}:a]{extra}pan=stereo|c0={left:.3f}*c0|c1={right:.3f}*c0[t{i}]")
        labels = "".join(f"[t{i}]" for i in range(len(tracks)))
        graph = ";".join(chains) + (
            f";{labels}amix=inputs={len(tracks)}:duration=longest:normalize=0,{room},"
            f"apad=whole_len={samples},atrim=end_sample={samples},"
            f"afade=t=in:st=0:d={fade_in:.2f},"
            f"afade=t=out:st={seconds - fade_out:.3f}:d={fade_out:.2f},"
            "alimiter=limit=0.85:level=disabled,volume=0.9[out]"
        )
        with atomic_output(path) as tmp:
            ffmpeg(
                *inputs,
                "-filter_complex",
                graph,
                "-map",
                "[out]",
                "-ac",
                "2",
                "-ar",
                str(_SR),
                *codec_args(suffix, stereo=True),
                *metadata_args(f"Demo {style} (seed {seed})"),
                str(tmp),
                what="ffmpeg (mixing music)",
            )
    return path
