from .pll import PLL


class CostasLoop(PLL):
    """Costas loop: carrier recovery for BPSK (``order=2``) or QPSK (``order=4``) symbols.

    The phase error is ``arg(y · conj(d))`` with d the nearest constellation point
    (±1, or ±1±j), so the modulation does not disturb the loop; the output is the derotated
    stream, with the usual 180° (BPSK) or 90° (QPSK) ambiguity. Feed it one sample per symbol
    (after timing recovery) or a well-filtered stream.

    Signature: complex64 -> complex64

    Parameters
    ----------
    bandwidth : float
        Loop noise bandwidth in Hz (of the stream's rate).
    order : int
        2 for BPSK, 4 for QPSK.
    max_frequency : float
        Largest carrier offset in Hz the loop may pull to (symmetric).

    Example: ``CostasLoop(bandwidth=50, order=4, max_frequency=2e3)``
    """

    def __init__(self, bandwidth: float = 50.0, order: int = 2, max_frequency: float = 1e3):
        if order not in (2, 4):
            raise ValueError(f"CostasLoop: order must be 2 (BPSK) or 4 (QPSK), got {order!r}")
        super().__init__(bandwidth, -max_frequency, max_frequency)
        self.order = int(order)
