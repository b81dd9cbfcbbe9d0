using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query;

namespace Tsdb.Flight.Tests;

/// <summary>Table <c>cpu</c> of database <c>db</c> (see <see cref="Batches.Cpu"/>), counting the scans that read it.</summary>
internal sealed class CountingTableSource(int rows) : ITableSource
{
    private readonly RecordBatch _batch = Batches.Cpu(rows);

    public int Scans { get; private set; }

    public Schema? GetSchema(string database, string table) => database == "db" && table == "cpu" ? _batch.Schema : null;

    public async IAsyncEnumerable<RecordBatch> ScanAsync(string database, string table, long? fromTime, long? toTime, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Scans++;
        await Task.Yield();
        yield return _batch;
    }

    public IReadOnlyList<string> Tables(string database) => database == "db" ? ["cpu"] : [];
}
