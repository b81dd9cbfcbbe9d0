using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query;
using Tsdb.Query.Chunks;

namespace Tsdb.Flight.Tests;

/// <summary>Table <c>cpu</c> of database <c>db</c> (see <see cref="Batches.Cpu"/>), counting the scans that read it.</summary>
internal sealed class CountingTableSource(int rows) : ITableSource
{
    private readonly RecordBatch _batch = Batches.Cpu(rows);

    public int Scans { get; private set; }

    public Schema? GetSchema(string database, string table) => database == "db" && table == "cpu" ? _batch.Schema : null;

    public ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        Scans++;
        return ValueTask.FromResult(new TableChunks(null, [new StreamChunk(_batch.Schema, [_batch])]));
    }

    public IReadOnlyList<string> Tables(string database) => database == "db" ? ["cpu"] : [];
}
