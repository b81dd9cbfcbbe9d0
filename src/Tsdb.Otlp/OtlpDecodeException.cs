namespace Tsdb.Otlp;

/// <summary>An OTLP body that cannot be decoded at all: answered 400 with a google.rpc.Status.</summary>
public sealed class OtlpDecodeException : Exception
{
    public OtlpDecodeException()
    {
    }

    public OtlpDecodeException(string message) : base(message)
    {
    }

    public OtlpDecodeException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
