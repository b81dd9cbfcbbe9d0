using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.Core.Deletes;
using Tsdb.Core.Schema;
using Tsdb.Query;
using Tsdb.Query.Chunks;
using Tsdb.Storage.Chunks;
using Tsdb.Storage.Deletes;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// The query engine's view of storage: schemas from the catalog, and a table as chunks — the buffered WAL records
/// (<see cref="BufferChunk"/>) and the Parquet files (<see cref="ParquetChunk"/>) — pruned by time range and tag
/// values in one place (<see cref="ChunkPruning"/>). The buffer is looked at before the catalog: a persist publishes
/// its files before it drops the rows from the buffer, so a scan sees those rows at least once (and the merge makes
/// twice harmless), never zero times.
/// </summary>
/// <remarks>
/// Retention is applied here for every reader: the scan starts at the table's cutoff (chunks wholly before it are
/// skipped) and the chunks that straddle it lose their expired rows exactly, as a delete of everything before it.
/// In a cluster a node sees one part: an ingest node serves its buffer to query nodes (no <paramref name="files"/>),
/// a query node reads the files (no <paramref name="buffer"/>) and gets the buffered rows from the ingest nodes.
/// </remarks>
public sealed class StorageTableSource(Catalog.Catalog catalog, WriteBuffer? buffer, ParquetFiles? files, TimeProvider? time = null) : ITableSource
{
    // A definition never changes (a new column makes a new one), so its schema is built once; planning asks per query.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TableDefinition, Schema> Schemas = [];

    public Schema? GetSchema(string database, string table)
    {
        var definition = catalog.Current.FindDatabase(database)?.FindTable(table);
        return definition is null ? null : Schemas.GetValue(definition, static d => new Schema(d.Columns.Select(c => new Field(c.Name, ColumnTypes.Of(c.Kind), c.Kind != ColumnKind.Time))));
    }

    public ValueTask<TableChunks> GetChunksAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var buffered = buffer?.Snapshot(request.Database, request.Table) ?? [];
        var snapshot = catalog.Current;
        var definition = snapshot.FindDatabase(request.Database)?.FindTable(request.Table);
        if (definition is null)
        {
            return ValueTask.FromResult(TableChunks.None);
        }
        var tombstones = snapshot.TombstonesOf(request.Database, request.Table).ToList();
        var cutoff = RetentionService.Cutoff(request, snapshot, (time ?? TimeProvider.System).GetUtcNow());
        if (cutoff > (request.FromTime ?? long.MinValue))
        {
            request = request with { FromTime = cutoff };
        }
        DeletePredicate[] expired = cutoff == long.MinValue ? [] : [new DeletePredicate(null, cutoff - 1, [])];
        var chunks = new List<IQueryChunk>();
        void Add(IQueryChunk chunk, IEnumerable<Tombstone> deletes)
        {
            if (!ChunkPruning.MayMatch(chunk, request) || TombstonedChunk.Apply(chunk, deletes) is not { } visible)
            {
                return;
            }
            chunks.Add(chunk.MinTime < cutoff ? new TombstonedChunk(visible, expired) : visible);
        }
        foreach (var file in files is null ? [] : snapshot.FilesOf(request.Database, request.Table))
        {
            if (ChunkPruning.Overlaps(file.MinTime, file.MaxTime, request.FromTime, request.ToTime))
            {
                Add(new ParquetChunk(file, files!), tombstones.Where(t => t.Reaches(file)));
            }
        }
        foreach (var b in buffered)
        {
            if (ChunkPruning.Overlaps(b.MinTime, b.MaxTime, request.FromTime, request.ToTime))
            {
                Add(new BufferChunk(b), tombstones);
            }
        }
        return ValueTask.FromResult(new TableChunks(TableColumnsOf(definition), chunks));
    }

    public IReadOnlyList<TableFile> Files(string database) =>
        [.. catalog.Current.Files.Where(f => f.Database == database).Select(f => new TableFile(
            f.Table, ParquetChunk.PartitionKeyOf(f.Day), f.Path, f.SizeBytes, f.RowCount, f.MinTime, f.MaxTime))];

    public IReadOnlyList<string> Databases() =>
        [.. catalog.Current.Databases.Select(d => d.Name).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> Tables(string database) =>
        catalog.Current.FindDatabase(database)?.Tables.Select(t => t.Name).ToList() ?? [];

    /// <summary>
    /// A table's stored columns and sort key, from its catalog definition; made once per definition (definitions are
    /// immutable, a schema change makes a new one), not once per query.
    /// </summary>
    public static TableColumns TableColumnsOf(TableDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return ColumnsByDefinition.GetValue(definition, d => new([.. d.Columns.Select(c => (c.Name, c.Kind))]));
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TableDefinition, TableColumns> ColumnsByDefinition = [];
}
