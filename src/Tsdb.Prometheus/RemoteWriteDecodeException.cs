namespace Tsdb.Prometheus;

/// <summary>A remote-write body that cannot be decoded at all (bad snappy, bad protobuf, bad symbols table): a 400.</summary>
public sealed class RemoteWriteDecodeException : Exception
{
    public RemoteWriteDecodeException()
    {
    }

    public RemoteWriteDecodeException(string message) : base(message)
    {
    }

    public RemoteWriteDecodeException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
