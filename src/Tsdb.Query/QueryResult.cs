using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query;

/// <summary>The answer of one statement: its schema and its rows (possibly in several batches).</summary>
public sealed record QueryResult(Schema Schema, IReadOnlyList<RecordBatch> Batches);
