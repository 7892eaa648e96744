"""On-off keying: envelope slicing with an adaptive noise floor and a minimum pulse width."""
import math


from ._jit import kernel


@kernel(["intp(complex64[::1], float32, float32, float32, float32, float32, float32, "
         "float32[::1], intp[::1], float32[::1])"])
def ook_slice(x, smooth, noise_alpha, high_alpha, open_ratio, hysteresis, min_items, state,
              changes, out):
    """Slice an OOK signal into 0/1 with edges at the middle of the envelope.

    ``p`` is |x|² smoothed by one pole (weight ``smooth``). While low, the noise floor follows
    p (weight ``noise_alpha``); the signal counts as high when p exceeds both ``open_ratio`` ×
    floor and ``hysteresis`` × the mid level of the last pulse. While high, the pulse level
    follows p (weight ``high_alpha``) and the signal counts as low when p falls below mid /
    ``hysteresis``, with mid = sqrt(pulse level × floor): the −3 dB-in-dB midpoint, so both
    edges are timed alike.

    Glitch rejection: the state changes only once the new condition has held for ``min_items``
    samples in a row, so a spike or a dropout shorter than that changes nothing. The change is
    recorded at the first sample of the run (its true edge, possibly in an earlier call: the
    index is then negative); ``out`` follows the confirmed state, min_items − 1 samples after
    the edge.

    ``state`` = [p, floor, pulse level, high (0/1), items of warm-up left, length of the run
    that disagrees with the state, pulse level seen in that run]: during the warm-up only the
    floor is estimated. Edge indices go to ``changes``; returns their count."""
    p, floor, level = state[0], state[1], state[2]
    high = state[3] > 0.5
    warmup = state[4]
    run, peak = state[5], state[6]
    k = 0
    for i in range(x.shape[0]):
        v = x[i]
        p += smooth * (v.real * v.real + v.imag * v.imag - p)
        if floor <= 0.0:
            floor = p
        if warmup > 0.0:
            warmup -= 1.0
            floor += noise_alpha * (p - floor)
            out[i] = 0.0
            continue
        if high:
            level += high_alpha * (p - level)
            mid = math.sqrt(level * floor)
            other = p < mid / hysteresis
        else:
            mid = math.sqrt(level * floor) if level > 0.0 else 0.0
            other = p > open_ratio * floor and p > mid * hysteresis
            if not other:
                floor += noise_alpha * (p - floor)
        if other:
            if run == 0.0:
                peak = p
            run += 1.0
            if run >= min_items:
                high = not high
                if high:
                    level = peak
                changes[k] = i - int(run) + 1
                k += 1
                run = 0.0
        else:
            run = 0.0
        out[i] = 1.0 if high else 0.0
    state[0], state[1], state[2] = p, floor, level
    state[3] = 1.0 if high else 0.0
    state[4] = warmup
    state[5], state[6] = run, peak
    return k
