namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>A dashboard variable with the values the test selected (one unless it is multi-value).</summary>
internal sealed record GrafanaVariableValue(string Name, bool Multi, IReadOnlyList<string> Values);
