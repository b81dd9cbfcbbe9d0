namespace Tsdb.PromQL;

/// <summary>One point of a range-query series.</summary>
public readonly record struct Point(long TimestampMs, double Value);

/// <summary>One native histogram point of a range-query series.</summary>
public readonly record struct HistogramPoint(long TimestampMs, FloatHistogram Histogram);

/// <summary>The value of a PromQL expression: one of the four result types of the HTTP API.</summary>
public abstract record PromQLValue
{
    /// <summary>The HTTP API's <c>resultType</c>: "scalar", "string", "vector" or "matrix".</summary>
    public abstract string ResultType { get; }
}

public sealed record ScalarValue(long TimestampMs, double Value) : PromQLValue
{
    public override string ResultType => "scalar";
}

public sealed record StringValue(long TimestampMs, string Value) : PromQLValue
{
    public override string ResultType => "string";
}

/// <summary>An instant sample; <see cref="Labels"/> has no <c>__name__</c> once a function or operator dropped it.</summary>
public sealed record VectorSample(Labels Labels, long TimestampMs, double Value)
{
    /// <summary>Set when the sample is a native histogram (then <see cref="Value"/> is 0 and meaningless).</summary>
    public FloatHistogram? Histogram { get; init; }
}

public sealed record VectorValue(IReadOnlyList<VectorSample> Samples) : PromQLValue
{
    public override string ResultType => "vector";
}

/// <summary>A series' float points and, apart, its native histogram points (the API's "values" and "histograms").</summary>
public sealed record MatrixSeries(Labels Labels, IReadOnlyList<Point> Points)
{
    public IReadOnlyList<HistogramPoint> Histograms { get; init; } = [];
}

/// <summary>Series sorted by labels, as Prometheus returns them for range queries.</summary>
public sealed record MatrixValue(IReadOnlyList<MatrixSeries> Series) : PromQLValue
{
    public override string ResultType => "matrix";
}

/// <summary>A query's value and the warnings Prometheus would attach (e.g. "metric might not be a counter").</summary>
public sealed record PromQLResult(PromQLValue Value, IReadOnlyList<string> Warnings)
{
    /// <summary>Prometheus' informational annotations (the API's <c>infos</c>), e.g. "metric might not be a counter".</summary>
    public IReadOnlyList<string> Infos { get; init; } = [];
}

/// <summary>The HTTP API's <c>errorType</c> values.</summary>
public enum PromQLErrorType
{
    BadData,
    Execution,
    Timeout,
    Canceled,
}

/// <summary>A query the engine cannot answer: a parse error (with position), a limit, a timeout.</summary>
public sealed class PromQLException : Exception
{
    public PromQLException(PromQLErrorType errorType, string message) : base(message) => ErrorType = errorType;

    public PromQLException()
    {
    }

    public PromQLException(string message) : base(message)
    {
    }

    public PromQLException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public PromQLErrorType ErrorType { get; } = PromQLErrorType.Execution;

    /// <summary>
    /// The query uses an experimental function while they are off: the message is Prometheus' own (it names
    /// Prometheus' flag), so a server can add how it turns them on.
    /// </summary>
    public bool NeedsExperimentalFunctions { get; internal set; }

    /// <summary>The wire name: bad_data, execution, timeout, canceled.</summary>
    public string ErrorTypeName => ErrorType switch
    {
        PromQLErrorType.BadData => "bad_data",
        PromQLErrorType.Timeout => "timeout",
        PromQLErrorType.Canceled => "canceled",
        _ => "execution",
    };
}
