"""Audio measurements shared by the demodulator tests, and the helpers of tests that run
sdrflow as a command."""
import numpy as np


def tone_frequency(a, fs):
    """Frequency of the strongest component, refined by parabolic interpolation of the log
    spectrum (Hann window), in Hz."""
    a = np.asarray(a, float)
    spec = np.abs(np.fft.rfft(a * np.hanning(a.size)))
    k = int(np.argmax(spec[1:])) + 1
    l, c, r = np.log(spec[k - 1:k + 2] + 1e-30)
    delta = 0.5 * (l - r) / (l - 2 * c + r)
    return (k + delta) * fs / a.size


def sinad_db(a, fs, tones, width=15.0):
    """Power of the given tones over everything else except DC, in dB (Hann window)."""
    a = np.asarray(a, float)
    spec = np.abs(np.fft.rfft(a * np.hanning(a.size))) ** 2
    f = np.fft.rfftfreq(a.size, 1 / fs)
    wanted = np.zeros(spec.size, bool)
    for f0 in tones:
        wanted |= np.abs(f - f0) < width
    rest = ~wanted & (f >= 20)
    return 10 * np.log10(spec[wanted].sum() / spec[rest].sum())


def wait_for_audio(path, proc, frames=4800):
    """Wait until ``proc`` (a running sdrflow) has written more than ``frames`` of 16-bit mono
    audio to the WAV file ``path`` — a count, not a time; fails if it ends first."""
    import os
    import threading

    while proc.poll() is None:
        if os.path.exists(path) and os.path.getsize(path) > 80 + 2 * frames:
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"sdrflow ended early: {proc.communicate()}")



def finish(proc, timeout):
    """``proc.communicate(timeout=…)``; a process that has not ended by then is killed before
    the test fails, so it cannot hold ports and files for the tests after it."""
    import subprocess

    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise


def read_wav(path):
    """A 16-bit WAV file's samples, one column per channel, and its rate."""
    import wave

    with wave.open(str(path)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)
        return pcm.reshape(-1, w.getnchannels()), w.getframerate()
