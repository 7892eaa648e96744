"""The block catalogue.

Sources
    SignalSource, NoiseSource, VectorSource, FileSource, FMStationSource
Sinks
    NullSink, VectorSink, FileSink, WAVSink, MessageSink
Stream control
    Head, StreamToVector, VectorToStream, Interleave, Deinterleave
Conversion
    IQToComplex, ComplexToIQ, ComplexToFloat, FloatToComplex, ComplexToMagPhase, FloatToInt16,
    Int16ToFloat
Arithmetic
    Add, Multiply, AddConst, MultiplyConst, Conjugate, MagSquared, Decibels
Filters
    FIRFilter, LowpassFilter, HighpassFilter, BandpassFilter, InterpolatingFIRFilter,
    RationalResampler, Resampler, FreqXlatingFilter, IIRFilter, DCBlocker, MovingAverage,
    HilbertTransform, Deemphasis
Mixing
    Rotator
Spectrum
    FFT, Spectrum
Levels
    AGC, PowerSquelch, RMSProbe
Demodulators
    FMDemod, WBFMReceiver, OOKDemod

``sdrflow blocks`` prints each block's reference entry; ``sdrflow blocks NAME`` one of them.
"""
from .add import Add
from .add_const import AddConst
from .agc import AGC
from .bandpass_filter import BandpassFilter
from .complex_to_float import ComplexToFloat
from .complex_to_iq import ComplexToIQ
from .complex_to_mag_phase import ComplexToMagPhase
from .conjugate import Conjugate
from .dc_blocker import DCBlocker
from .decibels import Decibels
from .deemphasis import Deemphasis
from .deinterleave import Deinterleave
from .fft import FFT
from .file_sink import FileSink
from .file_source import FileSource
from .fir_filter import FIRFilter
from .float_to_complex import FloatToComplex
from .float_to_int16 import FloatToInt16
from .fm_demod import FMDemod
from .fm_station_source import FMStationSource
from .freq_xlating_filter import FreqXlatingFilter
from .head import Head
from .highpass_filter import HighpassFilter
from .hilbert_transform import HilbertTransform
from .iir_filter import IIRFilter
from .int16_to_float import Int16ToFloat
from .interleave import Interleave
from .interpolating_fir_filter import InterpolatingFIRFilter
from .iq_to_complex import IQToComplex
from .lowpass_filter import LowpassFilter
from .mag_squared import MagSquared
from .message_sink import MessageSink
from .moving_average import MovingAverage
from .multiply import Multiply
from .multiply_const import MultiplyConst
from .noise_source import NoiseSource
from .null_sink import NullSink
from .ook_demod import OOKDemod
from .power_squelch import PowerSquelch
from .rational_resampler import RationalResampler
from .resampler import Resampler
from .rms_probe import RMSProbe
from .rotator import Rotator
from .signal_source import SignalSource
from .spectrum import Spectrum
from .stream_to_vector import StreamToVector
from .vector_sink import VectorSink
from .vector_source import VectorSource
from .vector_to_stream import VectorToStream
from .wav_sink import WAVSink
from .wbfm_receiver import WBFMReceiver

__all__ = ["AGC", "Add", "AddConst", "BandpassFilter", "ComplexToFloat", "ComplexToIQ",
           "ComplexToMagPhase", "Conjugate", "DCBlocker", "Decibels", "Deemphasis", "Deinterleave",
           "FFT", "FIRFilter", "FMDemod", "FMStationSource", "FileSink", "FileSource",
           "FloatToComplex", "FloatToInt16", "FreqXlatingFilter", "Head", "HighpassFilter",
           "HilbertTransform", "IIRFilter", "IQToComplex", "Int16ToFloat", "Interleave",
           "InterpolatingFIRFilter", "LowpassFilter", "MagSquared", "MessageSink", "MovingAverage",
           "Multiply", "MultiplyConst", "NoiseSource", "NullSink", "OOKDemod", "PowerSquelch",
           "RMSProbe", "RationalResampler", "Resampler", "Rotator", "SignalSource", "Spectrum",
           "StreamToVector", "VectorSink", "VectorSource", "VectorToStream", "WAVSink",
           "WBFMReceiver"]
