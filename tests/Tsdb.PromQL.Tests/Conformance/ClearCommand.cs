namespace Tsdb.PromQL.Tests.Conformance;

internal sealed record ClearCommand(int Line) : ScriptCommand(Line);
