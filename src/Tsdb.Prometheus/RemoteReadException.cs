namespace Tsdb.Prometheus;

/// <summary>A remote-read request that cannot be answered as asked (bad snappy or protobuf, bad matcher, no response type in common): a 400.</summary>
public sealed class RemoteReadException : Exception
{
    public RemoteReadException()
    {
    }

    public RemoteReadException(string message) : base(message)
    {
    }

    public RemoteReadException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
