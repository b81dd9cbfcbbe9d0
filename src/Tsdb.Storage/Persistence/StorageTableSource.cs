using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Core.Schema;
using Tsdb.Query;

namespace Tsdb.Storage.Persistence;

/// <summary>The query engine's view of storage: schemas from the catalog, rows from the <see cref="TableReader"/>.</summary>
public sealed class StorageTableSource(Catalog.Catalog catalog, TableReader reader) : ITableSource
{
    public Schema? GetSchema(string database, string table)
    {
        var definition = catalog.Current.FindDatabase(database)?.FindTable(table);
        if (definition is null)
        {
            return null;
        }
        return new Schema(definition.Columns.Select(c => new Field(c.Name, c.Kind switch
        {
            ColumnKind.Time => ArrowType.TimestampNanosecond,
            ColumnKind.Tag => ArrowType.DictionaryUtf8,
            ColumnKind.Float => ArrowType.Float64,
            ColumnKind.Integer => ArrowType.Int64,
            ColumnKind.UInteger => ArrowType.UInt64,
            ColumnKind.String => ArrowType.Utf8,
            _ => ArrowType.Boolean,
        }, c.Kind != ColumnKind.Time)));
    }

    public IAsyncEnumerable<RecordBatch> ScanAsync(string database, string table, long? fromTime, long? toTime, CancellationToken cancellationToken) =>
        reader.ReadAsync(database, table, fromTime, toTime, cancellationToken);

    public IAsyncEnumerable<RecordBatch> ScanAsync(ScanRequest request, CancellationToken cancellationToken) =>
        reader.ReadAsync(request, cancellationToken);

    public IReadOnlyList<TableFile> Files(string database) =>
        [.. catalog.Current.Files.Where(f => f.Database == database).Select(f => new TableFile(
            f.Table,
            DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + f.Day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            f.Path, f.SizeBytes, f.RowCount, f.MinTime, f.MaxTime))];

    public IReadOnlyList<string> Databases() =>
        [.. catalog.Current.Databases.Select(d => d.Name).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> Tables(string database) =>
        catalog.Current.FindDatabase(database)?.Tables.Select(t => t.Name).ToList() ?? [];
}
