"""The GNU Radio equivalent of one sdrflow block, timed the way ``sdrflow.bench`` times ours.

Run by ``sdrflow bench … --compare gnuradio`` with the interpreter that has GNU Radio (Debian's
``/usr/bin/python3`` with the ``gnuradio`` package), as

    python3 gnuradio_peer.py '{"kind": "fir_filter", "dtype": "complex64", "taps": […], …}'

It prints one JSON line: ``{"msps": …, "samples": …}``. Only the standard library, numpy and
GNU Radio are imported: the file must run outside sdrflow's environment."""
import json
import sys
import time


def chain(spec):
    """The GNU Radio blocks doing what the sdrflow block does, and the output item size."""
    from gnuradio import analog, blocks, fft, filter as grfilter, gr

    C, F = gr.sizeof_gr_complex, gr.sizeof_float
    kind, cplx = spec["kind"], spec["dtype"] == "complex64"
    size = C if cplx else F
    if kind == "fir_filter":
        taps, d = spec["taps"], spec.get("decimation", 1)
        if spec.get("complex_taps"):
            taps = [complex(re, im) for re, im in taps]
            return [grfilter.fir_filter_ccc(d, taps)], C
        return [grfilter.fir_filter_ccf(d, taps) if cplx else grfilter.fir_filter_fff(d, taps)], size
    if kind == "rational_resampler":
        make = grfilter.rational_resampler_ccf if cplx else grfilter.rational_resampler_fff
        return [make(spec["interpolation"], spec["decimation"], spec["taps"])], size
    if kind == "freq_xlating":
        return [grfilter.freq_xlating_fir_filter_ccf(spec["decimation"], spec["taps"],
                                                     spec["frequency"], spec["rate"])], C
    if kind == "fft":
        n = spec["size"]
        return [blocks.stream_to_vector(C, n), fft.fft_vcc(n, True, spec["window"], False, 1)], C * n
    if kind == "fm_demod":
        return [analog.quadrature_demod_cf(spec["gain"])], F
    if kind == "multiply_const":
        c = complex(*spec["constant"])
        return [blocks.multiply_const_cc(c) if cplx else blocks.multiply_const_ff(c.real)], size
    if kind == "rotator":
        return [blocks.rotator_cc(spec["phase_inc"])], C
    if kind == "mag_squared":
        return [blocks.complex_to_mag_squared(1)], F
    raise ValueError(f"no GNU Radio equivalent for {kind}")


def main(spec):
    import numpy as np
    from gnuradio import blocks, gr

    rng = np.random.default_rng(1)
    cplx = spec["dtype"] == "complex64"
    n_src = 8192
    if cplx:
        x = (rng.standard_normal(n_src) + 1j * rng.standard_normal(n_src)).astype(np.complex64) * 0.5
        source = blocks.vector_source_c(x.tolist(), True)
        size = gr.sizeof_gr_complex
    else:
        x = rng.standard_normal(n_src).astype(np.float32) * 0.5
        source = blocks.vector_source_f(x.tolist(), True)
        size = gr.sizeof_float
    best = 0.0
    for _ in range(spec.get("repeats", 3)):
        tb = gr.top_block()
        parts, out_size = chain(spec)
        tb.connect(source, blocks.head(size, spec["samples"]), *parts, blocks.null_sink(out_size))
        t = time.perf_counter()
        tb.run()
        best = max(best, spec["samples"] / (time.perf_counter() - t) / 1e6)
        tb.disconnect_all()
    print(json.dumps({"msps": best, "samples": spec["samples"]}))


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
