"""Writing to standard output or a pipe without letting a reader that stops reading hold the
graph: a blocked write would keep its worker, and so Ctrl-C and SIGTERM, waiting forever."""
import os
import select
import sys

PIECE = 4096  # PIPE_BUF: a pipe that polls writable takes this much without blocking


def write_out(block, fd: int, data) -> bool:
    """Write ``data`` (bytes, or a contiguous array) to ``fd``, waiting for a slow reader while
    the graph runs. Returns False when the graph is stopping first; the rest is dropped then.
    A reader that went away raises BrokenPipeError, as a plain write does."""
    view = memoryview(data).cast("B")
    poll = select.poll()  # not select(): it cannot watch a descriptor numbered 1024 or more
    poll.register(fd, select.POLLOUT)
    while len(view):
        stopping = block.stopping  # then only a look: messages queued behind wait no longer
        if not poll.poll(0 if stopping else 100):
            if stopping:
                return False
            continue
        view = view[os.write(fd, view[:PIECE]):]  # a reader gone: BrokenPipeError
    return True


def print_out(block, text: str) -> bool:
    """``text`` to standard output, as ``write_out`` writes (a plain write when standard output
    is not a file, as under a test's capture)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    sys.stdout.flush()
    return write_out(block, fd, text.encode())


def silence_stdout() -> None:
    """Point standard output at /dev/null, once its reader has gone: Python would complain
    again when it flushes stdout at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
