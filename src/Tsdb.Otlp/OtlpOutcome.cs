namespace Tsdb.Otlp;

public enum OtlpStatus
{
    /// <summary>200 with an ExportMetricsServiceResponse; some points may have been refused (partial success).</summary>
    Ok,

    /// <summary>The body cannot be decoded, or the database name is invalid: 400 with a google.rpc.Status.</summary>
    BadRequest,

    /// <summary>The write buffer is full: 503 with Retry-After (OTLP senders retry it).</summary>
    Overloaded,
}

/// <summary>
/// What an OTLP export did. <see cref="RejectedDataPoints"/> and <see cref="Message"/> are the response's
/// <c>partial_success</c>; a message with nothing rejected is a warning (e.g. exemplars refused).
/// <see cref="SamplesWritten"/> counts float and native histogram samples.
/// </summary>
public sealed record OtlpOutcome(OtlpStatus Status, string? Message, long DataPoints, long RejectedDataPoints, long SamplesWritten, long ExemplarsWritten)
{
    public static OtlpOutcome Refused(OtlpStatus status, string message) => new(status, message, 0, 0, 0, 0);
}
