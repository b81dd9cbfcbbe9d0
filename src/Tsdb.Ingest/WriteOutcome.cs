using Tsdb.LineProtocol;

namespace Tsdb.Ingest;

public enum WriteRequestError
{
    None,

    /// <summary>The body held no lines.</summary>
    EmptyBody,

    /// <summary>The database name is not allowed.</summary>
    InvalidDatabaseName,

    /// <summary>Creating the database would pass the database limit.</summary>
    DatabaseLimit,

    /// <summary>The write buffer is over its memory budget; retry later.</summary>
    Overloaded,
}

/// <summary>What happened to a write: lines stored, lines refused (each with its reason), or a request-level error.</summary>
public sealed class WriteOutcome
{
    internal WriteOutcome(WriteRequestError error, string? message)
    {
        RequestError = error;
        RequestErrorMessage = message;
    }

    internal WriteOutcome(int linesWritten, IReadOnlyList<LineError> lineErrors, bool limitExceeded, bool rejectedWhole, long? sequence)
    {
        LinesWritten = linesWritten;
        LineErrors = lineErrors;
        LimitExceeded = limitExceeded;
        RejectedWhole = rejectedWhole;
        Sequence = sequence;
    }

    public WriteRequestError RequestError { get; }

    public string? RequestErrorMessage { get; }

    public int LinesWritten { get; }

    public IReadOnlyList<LineError> LineErrors { get; } = [];

    /// <summary>Some line was refused because a table or column limit was reached.</summary>
    public bool LimitExceeded { get; }

    /// <summary>Partial writes were not accepted and a line was bad: nothing was written.</summary>
    public bool RejectedWhole { get; }

    /// <summary>The WAL sequence number of the write, when anything was written.</summary>
    public long? Sequence { get; }

    public bool IsCompleteSuccess => RequestError == WriteRequestError.None && LineErrors.Count == 0;
}
