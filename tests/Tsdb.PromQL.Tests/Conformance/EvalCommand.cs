namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>An <c>eval</c> block: the query, how to run it and everything it expects.</summary>
internal sealed record EvalCommand(int Line, string Query, bool IsRange, long StartMs, long EndMs, long StepMs) : ScriptCommand(Line)
{
    public bool ExpectFail { get; set; }

    public string? FailMessage { get; set; }

    public string? FailRegex { get; set; }

    public bool? ExpectWarn { get; set; }

    public string? WarnMessage { get; set; }

    public bool? ExpectInfo { get; set; }

    public string? InfoMessage { get; set; }

    public bool Ordered { get; set; }

    public string? ExpectString { get; set; }

    public (long Start, long End, long Step)? ExpectRangeVector { get; set; }

    public double? ExpectedScalar { get; set; }

    public List<ScriptSeries> ExpectedSeries { get; } = [];
}
