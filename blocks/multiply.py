import numpy as np

from .add import Add


class Multiply(Add):
    """Multiplies streams item by item: ``y[n] = Π_i x_i[n]`` (e.g. mixing with an NCO).

    Signature: n × T -> T (T: complex64, float32, int16, or vectors of them, e.g. an FFT
    frame by a window or a spectral mask; all inputs alike)

    Parameters
    ----------
    n : int
        Number of inputs, at least 2.

    Example: ``fg.connect(signal, (mult, 0)); fg.connect(lo, (mult, 1))``
    """

    _op = staticmethod(np.multiply)
