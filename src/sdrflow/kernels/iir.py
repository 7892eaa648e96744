"""Recursive filters."""
from ._jit import kernel


@kernel(["void(float32[::1], float32, float32, float32, float32[::1], float32[::1])"])
def one_pole(x, b0, b1, a1, state, out):
    """y[n] = b0·x[n] + b1·x[n−1] − a1·y[n−1]; ``state`` = [x[−1], y[−1]] carried across calls."""
    xp, yp = state[0], state[1]
    for i in range(x.shape[0]):
        v = x[i]
        yp = b0 * v + b1 * xp - a1 * yp
        xp = v
        out[i] = yp
    state[0], state[1] = xp, yp
