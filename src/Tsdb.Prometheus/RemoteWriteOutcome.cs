namespace Tsdb.Prometheus;

public enum RemoteWriteStatus
{
    /// <summary>Everything was stored (204).</summary>
    Ok,

    /// <summary>The request or some of its series can never be stored (400); the good series were stored.</summary>
    BadRequest,

    /// <summary>The write buffer is full; retry later (503, retried by senders).</summary>
    Overloaded,

    /// <summary>A table or column limit refused some series (400 as well: retrying cannot help).</summary>
    LimitExceeded,
}

/// <summary>What a remote-write request did: counts for the 2.0 response headers, and the reason for a refusal.</summary>
public sealed record RemoteWriteOutcome(RemoteWriteStatus Status, string? Message, long SamplesWritten, long HistogramsWritten, long ExemplarsWritten)
{
    public static RemoteWriteOutcome Refused(RemoteWriteStatus status, string message) => new(status, message, 0, 0, 0);
}
