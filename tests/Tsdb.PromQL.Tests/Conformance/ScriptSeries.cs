namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>One series line of a <c>load</c> block or of an expected result; a null value is <c>_</c> (no sample).</summary>
internal sealed record ScriptSeries(Labels Labels, List<double?> Values, bool HasHistogram);
