"""The block catalogue.

Sources
    SignalSource, NoiseSource, VectorSource, FileSource, SigMFSource, WAVSource, FMStationSource,
    FMBandSource, BandSource, QueueSource, ModeSSource, OOKSource,
    RtlSdrSource, RtlTcpSource
Sinks
    NullSink, VectorSink, FileSink, SigMFSink, WAVSink, MessageSink, PCMSink, AudioSink,
    RtlTcpServerSink, CallbackSink, WebSink, ModeSOutput
Stream control
    Head, Throttle, StreamToVector, VectorToStream, Interleave, Deinterleave
Conversion
    IQToComplex, ComplexToIQ, ComplexToFloat, FloatToComplex, ComplexToMagPhase,
    MagPhaseToComplex, FloatToInt16, Int16ToFloat
Arithmetic
    Add, Multiply, AddConst, MultiplyConst, Conjugate, MagSquared, Decibels
Filters
    FIRFilter, LowpassFilter, HighpassFilter, BandpassFilter, InterpolatingFIRFilter,
    RationalResampler, Resampler, FreqXlatingFilter, IIRFilter, DCBlocker, MovingAverage,
    HilbertTransform, Deemphasis
Mixing
    Rotator
Spectrum
    FFT, IFFT, Spectrum, SweepSink
Levels
    AGC, PowerSquelch, RMSProbe, ChannelScanner
Synchronisation
    PLL, CostasLoop, FLL, SymbolSync
Demodulators
    FMDemod, WBFMReceiver, WBFMStereoReceiver, StereoDecoder, NBFMReceiver, AMDemod, SSBDemod,
    FSKDemod, OOKDemod, PSKDemod, ModeSDemod, ModeSDecoder, RadioHeadDecoder, RDSDemod,
    RDSDecoder, Magnitude, RealPart
Network (ZeroMQ, wire-compatible with GNU Radio's gr-zeromq)
    ZMQPushSink, ZMQPullSource, ZMQPubSink, ZMQSubSource, ZMQRepSink, ZMQReqSource,
    ZMQMessageSink, ZMQMessageSource
Digital
    RRCFilter, PSKSlicer, BinarySlicer, DifferentialDecoder, BiphaseDecoder, SyncWordCorrelator,
    Packetizer

``sdrflow blocks`` prints each block's reference entry; ``sdrflow blocks NAME`` one of them.
"""
# Blocks load on first use, so a graph imports (and loads the Numba kernels of) only the blocks
# it uses; `from sdrflow.blocks import X` and `sdrflow.blocks.X` work as if all were imported.
import importlib

_MODULES = {
    "IFFT": "ifft",
    "ModeSOutput": "mode_s_output",
    "ModeSSource": "mode_s_source",
    "SweepSink": "sweep_sink",
    "ChannelScanner": "channel_scanner",
    "CallbackSink": "callback_sink",
    "QueueSource": "queue_source",
    "WebSink": "web_sink",
    "Add": "add",
    "AddConst": "add_const",
    "AGC": "agc",
    "AMDemod": "am_demod",
    "AudioSink": "audio_sink",
    "BandpassFilter": "bandpass_filter",
    "BandSource": "band_source",
    "BinarySlicer": "binary_slicer",
    "BiphaseDecoder": "biphase_decoder",
    "ComplexToFloat": "complex_to_float",
    "ComplexToIQ": "complex_to_iq",
    "ComplexToMagPhase": "complex_to_mag_phase",
    "Conjugate": "conjugate",
    "CostasLoop": "costas_loop",
    "DCBlocker": "dc_blocker",
    "Decibels": "decibels",
    "Deemphasis": "deemphasis",
    "Deinterleave": "deinterleave",
    "DifferentialDecoder": "differential_decoder",
    "FFT": "fft",
    "FileSink": "file_sink",
    "FileSource": "file_source",
    "FIRFilter": "fir_filter",
    "FLL": "fll",
    "FloatToComplex": "float_to_complex",
    "FloatToInt16": "float_to_int16",
    "FMDemod": "fm_demod",
    "FMStationSource": "fm_station_source",
    "FMBandSource": "fm_band_source",
    "FreqXlatingFilter": "freq_xlating_filter",
    "FSKDemod": "fsk_demod",
    "Head": "head",
    "HighpassFilter": "highpass_filter",
    "HilbertTransform": "hilbert_transform",
    "IIRFilter": "iir_filter",
    "Int16ToFloat": "int16_to_float",
    "Interleave": "interleave",
    "InterpolatingFIRFilter": "interpolating_fir_filter",
    "IQToComplex": "iq_to_complex",
    "LowpassFilter": "lowpass_filter",
    "Magnitude": "magnitude",
    "MagPhaseToComplex": "mag_phase_to_complex",
    "MagSquared": "mag_squared",
    "MessageSink": "message_sink",
    "ModeSDecoder": "mode_s_decoder",
    "ModeSDemod": "mode_s_demod",
    "MovingAverage": "moving_average",
    "Multiply": "multiply",
    "MultiplyConst": "multiply_const",
    "NBFMReceiver": "nbfm_receiver",
    "NoiseSource": "noise_source",
    "NullSink": "null_sink",
    "OOKDemod": "ook_demod",
    "OOKSource": "ook_source",
    "RadioHeadDecoder": "radio_head_decoder",
    "RDSDecoder": "rds_decoder",
    "RDSDemod": "rds_demod",
    "Packetizer": "packetizer",
    "PCMSink": "pcm_sink",
    "PLL": "pll",
    "PowerSquelch": "power_squelch",
    "PSKDemod": "psk_demod",
    "PSKSlicer": "psk_slicer",
    "RationalResampler": "rational_resampler",
    "RealPart": "real_part",
    "Resampler": "resampler",
    "RMSProbe": "rms_probe",
    "Rotator": "rotator",
    "RRCFilter": "rrc_filter",
    "RtlSdrSource": "rtl_sdr_source",
    "RtlTcpServerSink": "rtl_tcp_server_sink",
    "RtlTcpSource": "rtl_tcp_source",
    "SigMFSink": "sigmf_sink",
    "SigMFSource": "sigmf_source",
    "SignalSource": "signal_source",
    "Spectrum": "spectrum",
    "SSBDemod": "ssb_demod",
    "StereoDecoder": "stereo_decoder",
    "StreamToVector": "stream_to_vector",
    "SymbolSync": "symbol_sync",
    "SyncWordCorrelator": "sync_word_correlator",
    "Throttle": "throttle",
    "VectorSink": "vector_sink",
    "VectorSource": "vector_source",
    "VectorToStream": "vector_to_stream",
    "WAVSink": "wav_sink",
    "WAVSource": "wav_source",
    "WBFMReceiver": "wbfm_receiver",
    "WBFMStereoReceiver": "wbfm_stereo_receiver",
    "ZMQMessageSink": "zmq_message_sink",
    "ZMQMessageSource": "zmq_message_source",
    "ZMQPubSink": "zmq_pub_sink",
    "ZMQPullSource": "zmq_pull_source",
    "ZMQPushSink": "zmq_push_sink",
    "ZMQRepSink": "zmq_rep_sink",
    "ZMQReqSource": "zmq_req_source",
    "ZMQSubSource": "zmq_sub_source",
}

__all__ = ["IFFT", "ModeSOutput", "ModeSSource", "SweepSink", "ChannelScanner", "CallbackSink", "QueueSource", "WebSink", "Add", "AddConst", "AGC", "AMDemod", "AudioSink", "BandpassFilter", "BandSource",
           "BinarySlicer", "BiphaseDecoder", "ComplexToFloat", "ComplexToIQ", "ComplexToMagPhase",
           "Conjugate",
           "CostasLoop", "DCBlocker", "Decibels", "Deemphasis", "Deinterleave",
           "DifferentialDecoder", "FFT", "FileSink", "FileSource", "FIRFilter", "FLL",
           "FloatToComplex", "FloatToInt16", "FMDemod", "FMStationSource", "FMBandSource", "FreqXlatingFilter",
           "FSKDemod", "Head", "HighpassFilter", "HilbertTransform", "IIRFilter", "Int16ToFloat",
           "Interleave", "InterpolatingFIRFilter", "IQToComplex", "LowpassFilter", "Magnitude",
           "MagPhaseToComplex", "MagSquared", "MessageSink", "ModeSDecoder", "ModeSDemod",
           "MovingAverage", "Multiply", "MultiplyConst", "NBFMReceiver", "NoiseSource", "NullSink",
           "OOKDemod", "OOKSource", "Packetizer", "PCMSink", "PLL", "PowerSquelch", "PSKDemod", "PSKSlicer",
           "RadioHeadDecoder", "RDSDecoder", "RDSDemod", "RationalResampler", "RealPart", "Resampler", "RMSProbe", "Rotator", "RRCFilter",
           "RtlSdrSource", "RtlTcpServerSink", "RtlTcpSource", "SigMFSink", "SigMFSource",
           "SignalSource", "Spectrum", "SSBDemod", "StereoDecoder", "StreamToVector", "SymbolSync",
           "SyncWordCorrelator", "Throttle", "VectorSink", "VectorSource", "VectorToStream",
           "WAVSink", "WAVSource", "WBFMReceiver", "WBFMStereoReceiver", "ZMQMessageSink",
           "ZMQMessageSource", "ZMQPubSink", "ZMQPullSource", "ZMQPushSink", "ZMQRepSink", "ZMQReqSource", "ZMQSubSource"]


def __getattr__(name):
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"sdrflow.blocks has no block {name!r}; `sdrflow blocks` lists them")
    cls = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = cls
    return cls


def __dir__():
    return sorted(set(globals()) | set(__all__))
