"""Every block in the catalogue: whole input, one-item chunks and random chunks agree."""
import numpy as np
import pytest

import sdrflow.blocks as b
from sdrflow.testing import assert_chunk_invariant

rng = np.random.default_rng(77)
C = (rng.standard_normal(4000) + 1j * rng.standard_normal(4000)).astype(np.complex64) * 0.5
F = rng.standard_normal(4000).astype(np.float32) * 0.5
U8 = rng.integers(0, 256, 4000, dtype=np.uint8)
BITS = rng.integers(0, 2, 4000, dtype=np.uint8)
I16 = rng.integers(-30000, 30000, 4000, dtype=np.int16)

# name -> (factory, inputs, rate); sources and sinks without outputs are tested elsewhere.
CASES = {
    "AGC": (lambda: b.AGC(0.5), C, 48e3),
    "AMDemod": (lambda: b.AMDemod(), C, 48e3),
    "Add": (lambda: b.Add(), [C, C], 1.0),
    "AddConst": (lambda: b.AddConst(1.5), F, 1.0),
    "BandpassFilter": (lambda: b.BandpassFilter(2e3, 5e3, 1e3), C, 48e3),
    "BinarySlicer": (lambda: b.BinarySlicer(), F, 1.0),
    "BiphaseDecoder": (lambda: b.BiphaseDecoder(), F, 2375.0),
    "ComplexToFloat": (lambda: b.ComplexToFloat(), C, 1.0),
    "ComplexToIQ": (lambda: b.ComplexToIQ("cs16"), C, 1.0),
    "ComplexToMagPhase": (lambda: b.ComplexToMagPhase(), C, 1.0),
    "Conjugate": (lambda: b.Conjugate(), C, 1.0),
    "CostasLoop": (lambda: b.CostasLoop(50, 4, 1e3), C, 10e3),
    "DCBlocker": (lambda: b.DCBlocker(), C, 48e3),
    "Decibels": (lambda: b.Decibels(), np.abs(F) + 0.1, 1.0),
    "Deemphasis": (lambda: b.Deemphasis(), F, 48e3),
    "Deinterleave": (lambda: b.Deinterleave(2), F, 1.0),
    "DifferentialDecoder": (lambda: b.DifferentialDecoder(), BITS, 1.0),
    "FFT": (lambda: b.FFT(64, overlap=16), C, 1.0),
    "FIRFilter": (lambda: b.FIRFilter(np.hanning(17), 3), C, 1.0),
    "FLL": (lambda: b.FLL(20), C, 48e3),
    "FMDemod": (lambda: b.FMDemod(5e3), C, 48e3),
    "FSKDemod": (lambda: b.FSKDemod(1e3, 2e3), C, 16e3),
    "FloatToComplex": (lambda: b.FloatToComplex(), [F, F], 1.0),
    "FloatToInt16": (lambda: b.FloatToInt16(), F, 1.0),
    "FreqXlatingFilter": (lambda: b.FreqXlatingFilter(5e3, cutoff=3e3, decimation=4), C, 48e3),
    "Head": (lambda: b.Head(1000), C, 1.0),
    "HighpassFilter": (lambda: b.HighpassFilter(2e3, 1e3), F, 48e3),
    "HilbertTransform": (lambda: b.HilbertTransform(31), F, 1.0),
    "IIRFilter": (lambda: b.IIRFilter([[0.2, 0.4, 0.2, 1.0, -0.5, 0.2]]), C, 1.0),
    "IQToComplex": (lambda: b.IQToComplex("cu8"), U8, 1.0),
    "Int16ToFloat": (lambda: b.Int16ToFloat(), I16, 1.0),
    "Interleave": (lambda: b.Interleave(3), [F, F, F], 1.0),
    "InterpolatingFIRFilter": (lambda: b.InterpolatingFIRFilter(np.hanning(12), 3), C, 1.0),
    "LowpassFilter": (lambda: b.LowpassFilter(5e3, 2e3, decimation=2), C, 48e3),
    "MagSquared": (lambda: b.MagSquared(), C, 1.0),
    "Magnitude": (lambda: b.Magnitude(), C, 1.0),
    "MagPhaseToComplex": (lambda: b.MagPhaseToComplex(), [np.abs(F), F], 1.0),
    "MovingAverage": (lambda: b.MovingAverage(10), C, 1.0),
    "Multiply": (lambda: b.Multiply(), [C, C], 1.0),
    "MultiplyConst": (lambda: b.MultiplyConst(2j), C, 1.0),
    "NBFMReceiver": (lambda: b.NBFMReceiver(squelch_db=-30), C, 48e3),
    "OOKDemod": (lambda: b.OOKDemod(), C, 250e3),
    "PLL": (lambda: b.PLL(100), C, 48e3),
    "PSKDemod": (lambda: b.PSKDemod(4e3, 4), C, 32e3),
    "PSKSlicer": (lambda: b.PSKSlicer(4), C, 1.0),
    "PowerSquelch": (lambda: b.PowerSquelch(-3), C, 48e3),
    "RDSDemod": (lambda: b.RDSDemod(), np.tile(F, 6), 240e3),
    "RRCFilter": (lambda: b.RRCFilter(1e3), C, 8e3),
    "RationalResampler": (lambda: b.RationalResampler(3, 7), C, 48e3),
    "RealPart": (lambda: b.RealPart(), C, 1.0),
    "Resampler": (lambda: b.Resampler(48e3), F, 44.1e3),
    "Rotator": (lambda: b.Rotator(1e3), C, 48e3),
    "SSBDemod": (lambda: b.SSBDemod("lsb"), C, 48e3),
    "Spectrum": (lambda: b.Spectrum(64, average=3, decimation=2), C, 1.0),
    "StereoDecoder": (lambda: b.StereoDecoder(), F, 240e3),
    "StreamToVector": (lambda: b.StreamToVector(10), C, 1.0),
    "SymbolSync": (lambda: b.SymbolSync(1e3, 0.01), C, 8e3),
    "SyncWordCorrelator": (lambda: b.SyncWordCorrelator("0110"), BITS, 1.0),
    "Throttle": (lambda: b.Throttle(speed=1e6), C, 1e3),
    "VectorToStream": (lambda: b.VectorToStream(4), C.reshape(-1, 4), 1.0),
    "WBFMReceiver": (lambda: b.WBFMReceiver(), np.tile(C, 6), 2.4e6),
    "WBFMStereoReceiver": (lambda: b.WBFMStereoReceiver(), np.tile(C, 6), 2.4e6),
}
# Sources and sinks: checked in their own tests (they have no input, or no output, to compare).
ELSEWHERE = {"FileSink", "FileSource", "FMStationSource", "MessageSink", "NoiseSource", "NullSink",
             "Packetizer", "RMSProbe", "SignalSource", "VectorSink", "VectorSource", "WAVSink",
             "ZMQPubSink", "ZMQPullSource", "ZMQPushSink", "ZMQSubSource", "RtlTcpSource",
             "RtlSdrSource", "SigMFSource", "SigMFSink", "WAVSource", "BandSource", "FMBandSource",
             "PCMSink",
             "RtlTcpServerSink", "QueueSource", "CallbackSink", "WebSink", "ChannelScanner", "SweepSink",
             "ModeSSource", "ModeSOutput", "IFFT",
             "AudioSink",
             "ZMQMessageSink", "ZMQMessageSource", "ModeSDemod",
             "ModeSDecoder", "OOKSource", "RadioHeadDecoder", "ZMQRepSink", "ZMQReqSource",
             "RDSDecoder"}


def test_every_block_is_covered():
    assert set(b.__all__) == set(CASES) | ELSEWHERE


@pytest.mark.parametrize("name", sorted(CASES))
def test_chunking_does_not_change_output(name):
    make, inputs, rate = CASES[name]
    out = assert_chunk_invariant(make, inputs, rate=rate, rtol=1e-4, atol=1e-5)
    outs = out if isinstance(out, list) else [out]
    assert all(len(o) > 0 for o in outs)
