using Tsdb.Arrow.Arrays;

namespace Tsdb.Storage;

/// <summary>
/// Rows of one table and one day partition from one WAL record. Immutable, so a query holding a list of chunks
/// sees a consistent snapshot while writes go on.
/// </summary>
public sealed record BufferedChunk(string Database, string Table, long Sequence, int Day, RecordBatch Batch, long MinTime, long MaxTime, long Bytes, DateTimeOffset ArrivedAt);
