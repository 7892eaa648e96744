"""The block catalogue.

Sources
    SignalSource, NoiseSource, VectorSource, FileSource, FMStationSource
Sinks
    NullSink, VectorSink, FileSink, WAVSink, MessageSink
Stream control
    Head
Conversion
    FloatToInt16, Int16ToFloat
Arithmetic
    MultiplyConst
Filters
    FIRFilter, LowpassFilter, Deemphasis
Demodulators
    FMDemod, WBFMReceiver

``sdrflow blocks`` prints each block's reference entry; ``sdrflow blocks NAME`` one of them.
"""
from .deemphasis import Deemphasis
from .file_sink import FileSink
from .file_source import FileSource
from .fir_filter import FIRFilter
from .float_to_int16 import FloatToInt16
from .fm_demod import FMDemod
from .fm_station_source import FMStationSource
from .head import Head
from .int16_to_float import Int16ToFloat
from .lowpass_filter import LowpassFilter
from .message_sink import MessageSink
from .multiply_const import MultiplyConst
from .noise_source import NoiseSource
from .null_sink import NullSink
from .signal_source import SignalSource
from .vector_sink import VectorSink
from .vector_source import VectorSource
from .wav_sink import WAVSink
from .wbfm_receiver import WBFMReceiver

__all__ = ["Deemphasis", "FileSink", "FileSource", "FIRFilter", "FloatToInt16", "FMDemod",
           "FMStationSource", "Head", "Int16ToFloat", "LowpassFilter", "MessageSink", "MultiplyConst", "NoiseSource", "NullSink",
           "SignalSource", "VectorSink", "VectorSource", "WAVSink", "WBFMReceiver"]
