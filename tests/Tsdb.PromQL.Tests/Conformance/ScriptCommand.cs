namespace Tsdb.PromQL.Tests.Conformance;

internal abstract record ScriptCommand(int Line);
