namespace Tsdb.Arrow;

/// <summary>
/// The one exception type for malformed, truncated or unsupported Arrow data: IPC streams and files, flatbuffer
/// metadata and array layouts that do not agree with their buffers.
/// </summary>
public sealed class ArrowFormatException : Exception
{
    public ArrowFormatException(string message) : base(message) { }

    public ArrowFormatException(string message, Exception inner) : base(message, inner) { }
}
