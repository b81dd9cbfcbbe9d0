namespace Tsdb.PromQL.Tests.Conformance;

internal sealed record LoadCommand(int Line, long IntervalMs, List<ScriptSeries> Series, bool WithNhcb) : ScriptCommand(Line);
