using Tsdb.Arrow.Arrays;

namespace Tsdb.Wal;

/// <summary>The rows one write adds to one table, as an Arrow record batch.</summary>
public sealed record WalTableWrite(string Table, RecordBatch Batch);
