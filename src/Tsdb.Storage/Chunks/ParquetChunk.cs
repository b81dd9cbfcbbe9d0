using System.Globalization;
using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Catalog;
using Tsdb.ObjectStore;
using Tsdb.Parquet.Reading;
using Tsdb.Query.Chunks;

namespace Tsdb.Storage.Chunks;

/// <summary>
/// A persisted Parquet file as a chunk: sorted by the table's sort key and deduplicated when it was written, pruned by
/// its catalog statistics (time range, tag ranges), read row group by row group with only the asked columns, the
/// page index skipping pages outside the time range and tag values.
/// </summary>
public sealed class ParquetChunk(ParquetFileEntry file, ParquetFiles files) : IQueryChunk
{
    public ParquetFileEntry File => file;

    /// <summary>Fewest rows a batch bounded by <see cref="ChunkRead.MaxBatchBytes"/> holds: smaller ranges would decode the pages they straddle over and over.</summary>
    private const int MinBatchRows = 8192;

    public string Kind => "parquet";

    public string PartitionKey { get; } = PartitionKeyOf(file.Day);

    public long MinTime => file.MinTime;

    public long MaxTime => file.MaxTime;

    public long RowCount => file.RowCount;

    /// <summary>The highest WAL sequence the file holds: a later persist holds later writes.</summary>
    public long Order => file.MaxSequence;

    public bool IsSorted => true;

    public bool MayHaveDuplicates => false;

    /// <summary>Files written before tag ranges were recorded have none: unknown.</summary>
    public IReadOnlyDictionary<string, ChunkTagRange>? TagRanges { get; } =
        file.TagRanges.Count == 0 ? null : file.TagRanges.ToDictionary(t => t.Key, t => new ChunkTagRange(t.Value.Min, t.Value.Max), StringComparer.Ordinal);

    public async ValueTask<Schema> GetSchemaAsync(CancellationToken cancellationToken) =>
        (await OpenAsync(cancellationToken).ConfigureAwait(false)).Schema;

    public async IAsyncEnumerable<RecordBatch> ReadAsync(ChunkRead read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var reader = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var columns = read.Columns?.Where(c => reader.Schema.GetFieldIndex(c) >= 0).ToList();
        // A predicate on a column the file lacks says nothing about its rows.
        var predicates = Predicates(read).Where(p => reader.Schema.GetFieldIndex(p.Column) >= 0).ToList();
        var maxRows = read.MaxBatchRows ?? int.MaxValue;
        if (read.MaxBatchBytes is { } maxBytes)
        {
            maxRows = (int)Math.Min(maxRows, Math.Max(MinBatchRows, maxBytes / reader.DecodedBytesPerRow(columns)));
        }
        var batches = reader.ReadAsync(columns, predicates, maxRows, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (batches.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await batches.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (ObjectNotFoundException e)
                {
                    files.Forget(file.Path);
                    throw new ChunkGoneException($"{file.Path} is gone", e);
                }
                yield return batches.Current;
            }
        }
    }

    /// <summary>From the file's footer (written with it, so exact for its rows); null for files written before they were recorded.</summary>
    public async ValueTask<TagTimes?> GetTagTimesAsync(string column, CancellationToken cancellationToken)
    {
        try
        {
            return await files.TagTimesAsync(file, column, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException e)
        {
            throw new ChunkGoneException($"{file.Path} is gone", e);
        }
    }

    private async ValueTask<ParquetReader> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await files.OpenAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException e)
        {
            throw new ChunkGoneException($"{file.Path} is gone", e);
        }
    }

    /// <summary>Pruning ranges for the Parquet reader: time, and each tag's smallest and largest allowed value (plus the values).</summary>
    private static List<ColumnRange> Predicates(ChunkRead read)
    {
        var predicates = new List<ColumnRange>();
        if (read.FromTime is not null || read.ToTime is not null)
        {
            predicates.Add(new ColumnRange(TableDefinition.TimeColumn, read.FromTime, read.ToTime));
        }
        foreach (var (tag, values) in read.TagValues)
        {
            if (values.Count > 0)
            {
                predicates.Add(new ColumnRange(tag, values.Min(StringComparer.Ordinal), values.Max(StringComparer.Ordinal)) { AnyOf = [.. values] });
            }
        }
        return predicates;
    }

    public static string PartitionKeyOf(int day) =>
        DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
