import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Decimate, Port
from sdrflow.design import lowpass, num_taps_for
from sdrflow.kernels.fir import fir_decimate
from sdrflow.kernels.nco import mix, mix_table


class FreqXlatingFilter(Block):
    """Channel select in one pass: shift ``frequency`` to 0 Hz, low-pass, decimate.

    ``y[m] = Σ_k h[k] · x[mD − k] · exp(−j·2π·frequency·(mD − k)/rate)``, computed as GNU Radio
    does: ``exp(−j·2π·frequency·mD/rate) · Σ_k (h[k] · exp(j·2π·frequency·k/rate)) · x[mD − k]``
    — the taps are turned into a band-pass at ``frequency``, only the kept outputs are computed,
    and only they are rotated, by a table-driven NCO at the output rate (phase-continuous, also
    across retunes). No sample is mixed at the input rate.

    A real input (an FM multiplex, say) gives the complex band around ``frequency`` alone, as
    GNU Radio's ``freq_xlating_fir_filter_fcc`` does.

    Signature: complex64 -> complex64, float32 -> complex64

    Parameters
    ----------
    frequency : float
        Centre of the wanted channel in Hz (relative to the stream's centre).
    cutoff : float
        Low-pass cutoff in Hz (half the channel width); ignored when ``taps`` is given.
    decimation : int
        Keep one output in ``decimation``.
    transition : float, optional
        Transition width in Hz (default cutoff / 4).
    taps : array_like, optional
        Real low-pass taps to use instead of designing them.

    Example: ``FreqXlatingFilter(-100e3, cutoff=100e3, decimation=10)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)

    def __init__(self, frequency: float, cutoff: float | None = None, decimation: int = 1,
                 transition: float | None = None, taps=None):
        self.rate_rule = Decimate(decimation)
        self.decimation = int(decimation)
        if taps is None and not (cutoff and cutoff > 0):
            raise ValueError("FreqXlatingFilter: give a cutoff > 0 Hz or taps")
        if taps is not None:
            taps = np.asarray(taps)
            if taps.ndim != 1 or taps.size == 0 or np.iscomplexobj(taps):
                raise ValueError("FreqXlatingFilter: taps must be a non-empty real sequence")
        self.frequency, self.cutoff, self.user_taps = float(frequency), cutoff, taps
        self.transition = transition or (cutoff / 4 if cutoff else None)
        self._rate = None

    def set_frequency(self, frequency: float) -> None:
        """Retune: new band-pass taps at once (the history holds the input as it came); the
        output rotator's phase stays continuous."""
        if self._rate is not None:
            if abs(frequency) >= self._rate / 2:
                raise ValueError(f"FreqXlatingFilter: {frequency:g} Hz is beyond ±rate/2")
            step = -frequency / self._rate  # cycles per input sample of the mix down
            k = np.arange(len(self.taps))
            self._taps_rev = np.ascontiguousarray(
                (self.taps * np.exp(-2j * np.pi * step * k))[::-1]).astype(np.complex64)
            self._step_out = step * self.decimation
            self._table = mix_table(self._step_out)
        self.frequency = float(frequency)

    def start(self, rate):
        self._rate = rate
        if self.user_taps is not None:
            self.taps = self.user_taps.astype(np.float64)
        else:
            if not self.cutoff < rate / 2:
                raise ValueError(f"cutoff {self.cutoff:g} Hz must be below rate/2 ({rate / 2:g} Hz)")
            self.taps = lowpass(self.cutoff, rate, num_taps_for(rate, self.transition))
        self.cost = 1 + 2 * len(self.taps) / self.decimation  # complex taps: twice real ones
        self.set_frequency(self.frequency)
        self._hist = np.zeros(len(self.taps) - 1, self.input_types[0].dtype)
        self._state = np.zeros(1, np.intp)
        self._phase = np.zeros(1)  # of the output rotator, in cycles

    def work(self, x):
        out = self.buffer(len(x) // self.decimation + 1, np.complex64)
        n = fir_decimate(x, self._taps_rev, self.decimation, self._hist, self._state, out)
        mix(out[:n], self._step_out, self._phase, self._table, out[:n])
        return out[:n]
