namespace Tsdb.PromQL.Ast;

/// <summary>How a vector/vector operation pairs series: <c>on</c>/<c>ignoring</c> labels and <c>group_left/right</c>.</summary>
internal sealed record VectorMatching(MatchCardinality Cardinality, IReadOnlyList<string> MatchingLabels, bool On, IReadOnlyList<string> Include);
