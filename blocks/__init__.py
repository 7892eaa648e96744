"""The block catalogue.

Sources
    SignalSource, NoiseSource, VectorSource, FileSource, SigMFSource, WAVSource, FMStationSource,
    BandSource,
    RtlSdrSource, RtlTcpSource
Sinks
    NullSink, VectorSink, FileSink, SigMFSink, WAVSink, MessageSink, PCMSink, AudioSink,
    RtlTcpServerSink
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
    FFT, Spectrum
Levels
    AGC, PowerSquelch, RMSProbe
Synchronisation
    PLL, CostasLoop, FLL, SymbolSync
Demodulators
    FMDemod, WBFMReceiver, WBFMStereoReceiver, StereoDecoder, NBFMReceiver, AMDemod, SSBDemod,
    FSKDemod, OOKDemod, PSKDemod, ModeSDemod, ModeSDecoder, Magnitude, RealPart
Network (ZeroMQ, wire-compatible with GNU Radio's gr-zeromq)
    ZMQPushSink, ZMQPullSource, ZMQPubSink, ZMQSubSource, ZMQMessageSink, ZMQMessageSource
Digital
    RRCFilter, PSKSlicer, BinarySlicer, DifferentialDecoder, SyncWordCorrelator, Packetizer

``sdrflow blocks`` prints each block's reference entry; ``sdrflow blocks NAME`` one of them.
"""
from .add import Add
from .add_const import AddConst
from .agc import AGC
from .am_demod import AMDemod
from .audio_sink import AudioSink
from .band_source import BandSource
from .bandpass_filter import BandpassFilter
from .binary_slicer import BinarySlicer
from .complex_to_float import ComplexToFloat
from .complex_to_iq import ComplexToIQ
from .complex_to_mag_phase import ComplexToMagPhase
from .conjugate import Conjugate
from .costas_loop import CostasLoop
from .dc_blocker import DCBlocker
from .decibels import Decibels
from .deemphasis import Deemphasis
from .deinterleave import Deinterleave
from .differential_decoder import DifferentialDecoder
from .fft import FFT
from .file_sink import FileSink
from .file_source import FileSource
from .fir_filter import FIRFilter
from .fll import FLL
from .float_to_complex import FloatToComplex
from .float_to_int16 import FloatToInt16
from .fm_demod import FMDemod
from .fm_station_source import FMStationSource
from .freq_xlating_filter import FreqXlatingFilter
from .fsk_demod import FSKDemod
from .head import Head
from .highpass_filter import HighpassFilter
from .hilbert_transform import HilbertTransform
from .iir_filter import IIRFilter
from .int16_to_float import Int16ToFloat
from .interleave import Interleave
from .interpolating_fir_filter import InterpolatingFIRFilter
from .iq_to_complex import IQToComplex
from .lowpass_filter import LowpassFilter
from .mag_phase_to_complex import MagPhaseToComplex
from .mag_squared import MagSquared
from .magnitude import Magnitude
from .message_sink import MessageSink
from .mode_s_decoder import ModeSDecoder
from .mode_s_demod import ModeSDemod
from .moving_average import MovingAverage
from .multiply import Multiply
from .multiply_const import MultiplyConst
from .nbfm_receiver import NBFMReceiver
from .noise_source import NoiseSource
from .null_sink import NullSink
from .ook_demod import OOKDemod
from .packetizer import Packetizer
from .pcm_sink import PCMSink
from .pll import PLL
from .power_squelch import PowerSquelch
from .psk_demod import PSKDemod
from .psk_slicer import PSKSlicer
from .rational_resampler import RationalResampler
from .real_part import RealPart
from .resampler import Resampler
from .rms_probe import RMSProbe
from .rotator import Rotator
from .rrc_filter import RRCFilter
from .rtl_sdr_source import RtlSdrSource
from .rtl_tcp_server_sink import RtlTcpServerSink
from .rtl_tcp_source import RtlTcpSource
from .sigmf_sink import SigMFSink
from .sigmf_source import SigMFSource
from .signal_source import SignalSource
from .spectrum import Spectrum
from .ssb_demod import SSBDemod
from .stereo_decoder import StereoDecoder
from .stream_to_vector import StreamToVector
from .symbol_sync import SymbolSync
from .sync_word_correlator import SyncWordCorrelator
from .throttle import Throttle
from .vector_sink import VectorSink
from .vector_source import VectorSource
from .vector_to_stream import VectorToStream
from .wav_sink import WAVSink
from .wav_source import WAVSource
from .wbfm_receiver import WBFMReceiver
from .wbfm_stereo_receiver import WBFMStereoReceiver
from .zmq_message_sink import ZMQMessageSink
from .zmq_message_source import ZMQMessageSource
from .zmq_pub_sink import ZMQPubSink
from .zmq_pull_source import ZMQPullSource
from .zmq_push_sink import ZMQPushSink
from .zmq_sub_source import ZMQSubSource

__all__ = ["Add", "AddConst", "AGC", "AMDemod", "AudioSink", "BandpassFilter", "BandSource",
           "BinarySlicer", "ComplexToFloat", "ComplexToIQ", "ComplexToMagPhase", "Conjugate",
           "CostasLoop", "DCBlocker", "Decibels", "Deemphasis", "Deinterleave",
           "DifferentialDecoder", "FFT", "FileSink", "FileSource", "FIRFilter", "FLL",
           "FloatToComplex", "FloatToInt16", "FMDemod", "FMStationSource", "FreqXlatingFilter",
           "FSKDemod", "Head", "HighpassFilter", "HilbertTransform", "IIRFilter", "Int16ToFloat",
           "Interleave", "InterpolatingFIRFilter", "IQToComplex", "LowpassFilter", "Magnitude",
           "MagPhaseToComplex", "MagSquared", "MessageSink", "ModeSDecoder", "ModeSDemod",
           "MovingAverage", "Multiply", "MultiplyConst", "NBFMReceiver", "NoiseSource", "NullSink",
           "OOKDemod", "Packetizer", "PCMSink", "PLL", "PowerSquelch", "PSKDemod", "PSKSlicer",
           "RationalResampler", "RealPart", "Resampler", "RMSProbe", "Rotator", "RRCFilter",
           "RtlSdrSource", "RtlTcpServerSink", "RtlTcpSource", "SigMFSink", "SigMFSource",
           "SignalSource", "Spectrum", "SSBDemod", "StereoDecoder", "StreamToVector", "SymbolSync",
           "SyncWordCorrelator", "Throttle", "VectorSink", "VectorSource", "VectorToStream",
           "WAVSink", "WAVSource", "WBFMReceiver", "WBFMStereoReceiver", "ZMQMessageSink",
           "ZMQMessageSource", "ZMQPubSink", "ZMQPullSource", "ZMQPushSink", "ZMQSubSource"]
