"""On-off keying: envelope slicing with an adaptive noise floor."""
import math


from ._jit import kernel


@kernel(["intp(complex64[::1], float32, float32, float32, float32, float32, float32[::1], "
         "intp[::1], float32[::1])"])
def ook_slice(x, smooth, noise_alpha, high_alpha, open_ratio, hysteresis, state, changes, out):
    """Slice an OOK signal into 0/1 with edges at the middle of the envelope.

    ``p`` is |x|² smoothed by one pole (weight ``smooth``). While low, the noise floor follows
    p (weight ``noise_alpha``); the level goes high when p exceeds both ``open_ratio`` × floor
    and ``hysteresis`` × the mid level of the last pulse. While high, the pulse level follows
    p (weight ``high_alpha``) and the level drops when p falls below mid / ``hysteresis``, with
    mid = sqrt(pulse level × floor): the −3 dB-in-dB midpoint, so both edges are timed alike.
    ``state`` = [p, floor, pulse level, high (0/1), items of warm-up left]: during the warm-up
    only the floor is estimated. Indices of changes go to ``changes``; returns their count.
    ``out`` gets 1.0 while high, else 0.0."""
    p, floor, level = state[0], state[1], state[2]
    high = state[3] > 0.5
    warmup = state[4]
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
            if p < mid / hysteresis:
                high = False
                changes[k] = i
                k += 1
        else:
            floor += noise_alpha * (p - floor)
            mid = math.sqrt(level * floor) if level > 0.0 else 0.0
            if p > open_ratio * floor and p > mid * hysteresis:
                high = True
                level = p
                changes[k] = i
                k += 1
        out[i] = 1.0 if high else 0.0
    state[0], state[1], state[2] = p, floor, level
    state[3] = 1.0 if high else 0.0
    state[4] = warmup
    return k
