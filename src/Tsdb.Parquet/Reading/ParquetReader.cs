using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Encoding = System.Text.Encoding;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Schema;

namespace Tsdb.Parquet.Reading;

/// <summary>
/// Reads a Parquet file through byte ranges of an <see cref="IRandomAccessSource"/>: the footer once, then only the
/// column chunks (or pages) a read needs. Projection by column name; row groups are skipped by their statistics and
/// pages by the page index when a read carries <see cref="ColumnRange"/> predicates.
/// </summary>
public sealed class ParquetReader
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    private readonly IRandomAccessSource _source;
    private readonly ParquetReadOptions _options;
    private readonly List<ParquetColumn> _columns;

    private ParquetReader(IRandomAccessSource source, ParquetReadOptions options, FileMetaData metadata)
    {
        _source = source;
        _options = options;
        Metadata = metadata;
        var keyValues = metadata.KeyValueMetadata?.Select(kv => new KeyValuePair<string, string>(kv.Key, kv.Value ?? "")).ToList();
        (Schema, _columns) = SchemaMapping.ToArrow(metadata.Schema, keyValues, options.DictionaryColumns);
        foreach (var group in metadata.RowGroups)
        {
            if (group.Columns.Count != _columns.Count)
            {
                throw new ParquetFormatException($"a row group has {group.Columns.Count} column chunks for {_columns.Count} columns");
            }
            foreach (var chunk in group.Columns)
            {
                if (chunk.MetaData is null)
                {
                    throw new ParquetFormatException("a column chunk has no metadata (encrypted or external files are not supported)");
                }
                if (!string.IsNullOrEmpty(chunk.FilePath))
                {
                    throw new ParquetFormatException($"column chunks in other files ({chunk.FilePath}) are not supported");
                }
            }
        }
    }

    public FileMetaData Metadata { get; }

    public Tsdb.Arrow.Types.Schema Schema { get; }

    public int RowGroupCount => Metadata.RowGroups.Count;

    public long RowCount => Metadata.NumRows;

    /// <summary>Reads the footer: the last 8 bytes, then the metadata they point at (two reads).</summary>
    public static async Task<ParquetReader> OpenAsync(IRandomAccessSource source, ParquetReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= ParquetReadOptions.Default;
        if (source.Length < 12)
        {
            throw new ParquetFormatException($"not a Parquet file: {source.Length} bytes is too short");
        }
        var tail = new byte[8];
        await source.ReadAsync(source.Length - 8, tail, cancellationToken).ConfigureAwait(false);
        if (!tail.AsSpan(4).SequenceEqual(Magic))
        {
            throw new ParquetFormatException("not a Parquet file: no PAR1 at the end");
        }
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > source.Length - 12 || footerLength > options.MaxFooterLength)
        {
            throw new ParquetFormatException($"bad footer length {footerLength} in a file of {source.Length} bytes");
        }
        var footer = new byte[footerLength];
        await source.ReadAsync(source.Length - 8 - footerLength, footer, cancellationToken).ConfigureAwait(false);
        var metadata = FileMetaData.Parse(footer);
        if (metadata.NumRows < 0)
        {
            throw new ParquetFormatException($"negative row count {metadata.NumRows}");
        }
        return new ParquetReader(source, options, metadata);
    }

    public static Task<ParquetReader> OpenAsync(ReadOnlyMemory<byte> file, ParquetReadOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenAsync(new MemoryRandomAccessSource(file), options, cancellationToken);

    /// <summary>Indices of the row groups that may hold rows matching every predicate (by their statistics).</summary>
    public IReadOnlyList<int> SelectRowGroups(IReadOnlyList<ColumnRange>? predicates)
    {
        var selected = new List<int>();
        for (var g = 0; g < Metadata.RowGroups.Count; g++)
        {
            var group = Metadata.RowGroups[g];
            var keep = true;
            foreach (var predicate in predicates ?? [])
            {
                var column = FindColumn(predicate.Column);
                var meta = group.Columns[column.Index].MetaData!;
                if (meta.NumValues > 0 && meta.Statistics?.NullCount == meta.NumValues)
                {
                    keep = false; // only nulls: no value can match a range
                    break;
                }
                var (min, max) = StatisticsBounds(column, meta.Statistics);
                if (!Bounds.MayOverlap(column, min, max, predicate))
                {
                    keep = false;
                    break;
                }
            }
            if (keep)
            {
                selected.Add(g);
            }
        }
        return selected;
    }

    /// <summary>
    /// Reads the row groups that may match, one batch per row group, with only <paramref name="columns"/> (all when
    /// null), skipping pages the page index rules out.
    /// </summary>
    public IAsyncEnumerable<RecordBatch> ReadAsync(IReadOnlyList<string>? columns = null, IReadOnlyList<ColumnRange>? predicates = null, CancellationToken cancellationToken = default) =>
        ReadAsync(columns, predicates, int.MaxValue, cancellationToken);

    /// <summary>
    /// As <see cref="ReadAsync(IReadOnlyList{string}?, IReadOnlyList{ColumnRange}?, CancellationToken)"/>, but a row
    /// group larger than <paramref name="maxBatchRows"/> is read in consecutive row ranges of at most that many rows,
    /// each decoding only the pages it overlaps: a reader that holds a batch per file (a merge of many files) holds
    /// that many rows per file, not whole row groups. A page straddling two ranges is decoded for each.
    /// </summary>
    public async IAsyncEnumerable<RecordBatch> ReadAsync(IReadOnlyList<string>? columns, IReadOnlyList<ColumnRange>? predicates, int maxBatchRows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchRows, 1);
        // One batch read ahead: the next decodes while the caller works on this one.
        var slices = new List<(int Group, RowSelection? Rows)>();
        foreach (var g in SelectRowGroups(predicates))
        {
            var rows = Metadata.RowGroups[g].NumRows;
            if (rows <= maxBatchRows)
            {
                slices.Add((g, null));
                continue;
            }
            for (long start = 0; start < rows; start += maxBatchRows)
            {
                slices.Add((g, RowSelection.FromRanges([(start, Math.Min(rows, start + maxBatchRows))])));
            }
        }
        Task<RecordBatch>? next = null;
        try
        {
            for (var i = 0; i < slices.Count; i++)
            {
                var current = next ?? ReadRowGroupAsync(slices[i].Group, columns, predicates, slices[i].Rows, cancellationToken);
                next = null;
                var batch = await current.ConfigureAwait(false);
                if (i + 1 < slices.Count)
                {
                    var (g, rows) = slices[i + 1];
                    next = Task.Run(() => ReadRowGroupAsync(g, columns, predicates, rows, cancellationToken), cancellationToken);
                }
                if (batch.Length > 0)
                {
                    yield return batch;
                }
            }
        }
        finally
        {
            // The caller stopped early (LIMIT) or failed: the read-ahead is dropped, its failure observed.
            next?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Bytes a row of <paramref name="columns"/> (all when null) takes once decoded, estimated from the row group with
    /// the most uncompressed column bytes per row (encoded sizes: plain values are about their Arrow size, strings carry
    /// a length each as Arrow carries an offset); at least 1.
    /// </summary>
    public long DecodedBytesPerRow(IReadOnlyList<string>? columns)
    {
        var projected = columns is null ? _columns : [.. columns.Select(FindColumn)];
        long most = 1;
        foreach (var group in Metadata.RowGroups)
        {
            if (group.NumRows <= 0)
            {
                continue;
            }
            long bytes = 0;
            foreach (var column in projected)
            {
                bytes += group.Columns[column.Index].MetaData!.TotalUncompressedSize;
            }
            most = Math.Max(most, (bytes + group.NumRows - 1) / group.NumRows);
        }
        return most;
    }

    /// <summary>Reads every row of the file into batches (one per row group).</summary>
    public async Task<List<RecordBatch>> ReadAllAsync(IReadOnlyList<string>? columns = null, CancellationToken cancellationToken = default)
    {
        var batches = new List<RecordBatch>();
        await foreach (var batch in ReadAsync(columns, null, cancellationToken).ConfigureAwait(false))
        {
            batches.Add(batch);
        }
        return batches;
    }

    public Task<RecordBatch> ReadRowGroupAsync(int index, IReadOnlyList<string>? columns = null, IReadOnlyList<ColumnRange>? predicates = null, CancellationToken cancellationToken = default) =>
        ReadRowGroupAsync(index, columns, predicates, null, cancellationToken);

    /// <summary>Reads the rows of one row group within <paramref name="rows"/> (all when null) that the predicates' pages may hold.</summary>
    private async Task<RecordBatch> ReadRowGroupAsync(int index, IReadOnlyList<string>? columns, IReadOnlyList<ColumnRange>? predicates, RowSelection? rows, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Metadata.RowGroups.Count, nameof(index));
        var group = Metadata.RowGroups[index];
        var projected = columns is null ? _columns : [.. columns.Select(FindColumn)];
        var selection = rows ?? RowSelection.All(group.NumRows);
        foreach (var predicate in predicates ?? [])
        {
            selection = selection.Intersect(await PageSelectionAsync(group, FindColumn(predicate.Column), predicate, cancellationToken).ConfigureAwait(false));
        }
        // Column chunks decode independently: on the thread pool side by side, so a scan uses every core. A selective
        // read (a few pages) decodes in line: handing each column to another thread would cost more than decoding it.
        ArrayData[] decoded;
        if (selection.RowCount <= InlineDecodeRows)
        {
            (decoded, selection) = await ReadSelectiveAsync(group, projected, selection, predicates ?? [], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // A time range that cuts through the selected pages is applied here, exactly: the other columns then
            // decode only the rows that pass, and the scan above has no rows to filter out and copy again.
            var (refined, already) = await RefineLargeAsync(group, projected, selection, predicates ?? [], cancellationToken).ConfigureAwait(false);
            selection = refined;
            var rest = projected.Where(c => already is null || c.Index != already.Value.Column).ToList();
            // The predicates may have left few rows (a few series' hours out of their pages' days): decoded in line then.
            ArrayData[] results;
            if (rest.Count > 1 && refined.RowCount > InlineDecodeRows)
            {
                results = await Task.WhenAll(rest.Select(column => Task.Run(() => ReadColumnAsync(group, column, refined, cancellationToken), cancellationToken))).ConfigureAwait(false);
            }
            else
            {
                results = new ArrayData[rest.Count];
                for (var r = 0; r < rest.Count; r++)
                {
                    results[r] = await ReadColumnAsync(group, rest[r], refined, cancellationToken).ConfigureAwait(false);
                }
            }
            decoded = new ArrayData[projected.Count];
            for (int c = 0, r = 0; c < projected.Count; c++)
            {
                decoded[c] = already is { } done && done.Column == projected[c].Index ? done.Data : results[r++];
            }
        }
        var fields = new List<Field>();
        var arrays = new List<ArrowArray>();
        for (var c = 0; c < projected.Count; c++)
        {
            fields.Add(Schema[projected[c].Index]);
            arrays.Add(ArrowArray.Create(decoded[c]));
        }
        var length = (int)selection.RowCount;
        return new RecordBatch(new Tsdb.Arrow.Types.Schema(fields, Schema.Metadata), arrays, length);
    }

    /// <summary>
    /// For a large read: predicates on dictionary-encoded tags, then the first 64-bit integer or timestamp predicate (the
    /// time range), each unless the selected pages wholly lie inside it, are tested row by row, and the selection
    /// narrowed to the rows that pass. The predicate
    /// column, when projected, comes back already decoded for the narrowed selection (its values compacted, not
    /// decoded twice). A time-sorted file's pages mostly lie inside the range and are left alone; a tag-sorted one's
    /// pages hold whole days of several series, so a range of hours keeps a fraction of every page.
    /// </summary>
    private async Task<(RowSelection Selection, (int Column, ArrayData Data)? Decoded)> RefineLargeAsync(RowGroup group, List<ParquetColumn> projected, RowSelection selection, IReadOnlyList<ColumnRange> predicates, CancellationToken cancellationToken)
    {
        // Tag predicates first, tested on the pages' dictionary indices (no strings made): on a tag-sorted file a few
        // series' pages hold other series too, and the time column is then decoded only for the series asked for.
        foreach (var predicate in predicates)
        {
            var column = FindColumn(predicate.Column);
            if (selection.IsEmpty)
            {
                return (selection, null);
            }
            if (column.PhysicalType != PhysicalType.ByteArray || !RowRefinement.CanRefine(column, predicate, _options.DictionaryColumns)
                || await SelectedPagesWhollyMatchAsync(group, column, selection, predicate, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }
            using var filter = new ColumnChunkDecoder(column, group.Columns[column.Index].MetaData!.Codec, _options, RowRefinement.StringTest(predicate));
            await DecodeColumnAsync(group, column, selection, filter, null, cancellationToken).ConfigureAwait(false);
            selection = filter.PassingRows();
        }
        foreach (var predicate in predicates)
        {
            var column = FindColumn(predicate.Column);
            if (selection.IsEmpty)
            {
                return (selection, null);
            }
            if (column.PhysicalType != PhysicalType.Int64 || !RowRefinement.CanRefine(column, predicate, _options.DictionaryColumns)
                || await SelectedPagesWhollyMatchAsync(group, column, selection, predicate, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }
            if (RowRefinement.RangeOf(predicate) is { } range)
            {
                // Tested as it decodes, nothing kept (delta-encoded times per miniblock: DeltaBinaryPacked.SelectInRange):
                // the projected column decodes again for the rows that pass, which for evenly spaced times costs those
                // rows alone (DeltaBinaryPacked.DecodeRange). Selective reads (ReadSelectiveAsync) do the same.
                using var filter = new ColumnChunkDecoder(column, group.Columns[column.Index].MetaData!.Codec, _options, range.Min, range.Max);
                await DecodeColumnAsync(group, column, selection, filter, null, cancellationToken).ConfigureAwait(false);
                return (filter.PassingRows(), null);
            }
            var data = await ReadColumnAsync(group, column, selection, cancellationToken).ConfigureAwait(false);
            var narrowed = RowRefinement.Refine(selection, ArrowArray.Create(data), predicate);
            if (!projected.Any(c => c.Index == column.Index))
            {
                data.Dispose();
                return (narrowed, null);
            }
            if (narrowed.RowCount == selection.RowCount)
            {
                return (selection, (column.Index, data));
            }
            if (data.NullCount > 0 || data.Type.Id is not (Tsdb.Arrow.Types.ArrowTypeId.Int64 or Tsdb.Arrow.Types.ArrowTypeId.Timestamp))
            {
                data.Dispose();
                return (narrowed, null);
            }
            return (narrowed, (column.Index, RowRefinement.Compact(data, selection, narrowed)));
        }
        return (selection, null);
    }

    /// <summary>Rows of a row group up to which its columns are decoded one after another on the calling thread.</summary>
    private const long InlineDecodeRows = 32_768;

    /// <summary>
    /// A few pages' worth of rows, column after column on this thread. When only some pages are selected, every page
    /// the read needs is fetched in one request, and predicate columns that can be tested row by row narrow the
    /// selection to the rows that match before the projected columns are decoded.
    /// </summary>
    private async Task<(ArrayData[] Decoded, RowSelection Selection)> ReadSelectiveAsync(RowGroup group, List<ParquetColumn> columns, RowSelection selection, IReadOnlyList<ColumnRange> predicates, CancellationToken cancellationToken)
    {
        var plans = new Dictionary<int, PagePlan?>();
        // A projected integer column a refinement decoded, compacted to the selection it narrowed to: not decoded again.
        (int Column, ArrayData Data, RowSelection For)? kept = null;
        try
        {
            if (!selection.IsEmpty && selection.RowCount < group.NumRows)
            {
                // Tag predicates first: on a tag-sorted file they pick out a series' rows, leaving the time test few rows.
                var refinable = predicates.Where(p => RowRefinement.CanRefine(FindColumn(p.Column), p, _options.DictionaryColumns))
                    .OrderBy(p => FindColumn(p.Column).PhysicalType == PhysicalType.ByteArray ? 0 : 1).ToList();
                foreach (var column in columns.Concat(refinable.Select(p => FindColumn(p.Column))))
                {
                    if (!plans.ContainsKey(column.Index))
                    {
                        plans[column.Index] = await PlanPagesAsync(group, column, selection, cancellationToken).ConfigureAwait(false);
                    }
                }
                await FetchAsync([.. plans.Values.Where(p => p is not null).Select(p => p!)], cancellationToken).ConfigureAwait(false);
                foreach (var predicate in refinable)
                {
                    if (selection.IsEmpty)
                    {
                        break;
                    }
                    var column = FindColumn(predicate.Column);
                    if (await SelectedPagesWhollyMatchAsync(group, column, selection, predicate, cancellationToken).ConfigureAwait(false))
                    {
                        continue;   // e.g. a time range that covers these pages: every row passes
                    }
                    if (column.PhysicalType == PhysicalType.ByteArray)
                    {
                        // Tags: tested on dictionary indices, never turned into strings.
                        using var filter = new ColumnChunkDecoder(column, group.Columns[column.Index].MetaData!.Codec, _options, RowRefinement.StringTest(predicate));
                        await DecodeColumnAsync(group, column, selection, filter, plans[column.Index], cancellationToken).ConfigureAwait(false);
                        selection = filter.PassingRows();
                    }
                    else if (column.PhysicalType == PhysicalType.Int64 && RowRefinement.RangeOf(predicate) is { } range)
                    {
                        // A time range: tested as the column decodes (delta-encoded, evenly spaced times by division,
                        // per miniblock), nothing kept; the projected column then decodes only the rows that pass.
                        using var filter = new ColumnChunkDecoder(column, group.Columns[column.Index].MetaData!.Codec, _options, range.Min, range.Max);
                        await DecodeColumnAsync(group, column, selection, filter, plans[column.Index], cancellationToken).ConfigureAwait(false);
                        selection = filter.PassingRows();
                    }
                    else
                    {
                        var data = await ReadColumnAsync(group, column, selection, cancellationToken, plans[column.Index]).ConfigureAwait(false);
                        var values = ArrowArray.Create(data);
                        var narrowed = RowRefinement.Refine(selection, values, predicate);
                        if (kept is null && data.NullCount == 0 && data.Type.Id is Tsdb.Arrow.Types.ArrowTypeId.Int64 or Tsdb.Arrow.Types.ArrowTypeId.Timestamp
                            && columns.Any(c => c.Index == column.Index))
                        {
                            kept = (column.Index, RowRefinement.Compact(data, selection, narrowed), narrowed);
                        }
                        else
                        {
                            values.Dispose();
                        }
                        selection = narrowed;
                    }
                }
            }
            var decoded = new ArrayData[columns.Count];
            for (var c = 0; c < columns.Count; c++)
            {
                if (kept is { } k && k.Column == columns[c].Index)
                {
                    // A later refinement may have narrowed the selection again: compacted once more to it.
                    decoded[c] = k.For.RowCount == selection.RowCount ? k.Data : RowRefinement.Compact(k.Data, k.For, selection);
                    kept = null;
                    continue;
                }
                decoded[c] = await ReadColumnAsync(group, columns[c], selection, cancellationToken, plans.GetValueOrDefault(columns[c].Index)).ConfigureAwait(false);
            }
            return (decoded, selection);
        }
        finally
        {
            kept?.Data.Dispose();
            foreach (var plan in plans.Values)
            {
                plan?.Release();
            }
        }
    }

    /// <summary>
    /// What a selective read of one column chunk needs: its dictionary page (unless a cached decoding stands in) and
    /// its selected data pages, adjacent pages joined into one range; <see cref="Bytes"/> once fetched.
    /// </summary>
    private sealed class PagePlan
    {
        public ChunkDictionary? CachedDictionary { get; init; }

        /// <summary>The dictionary page's range first (when it is to be read), then the page runs with their first row.</summary>
        public List<(long Offset, int Length, long FirstRow)> Ranges { get; } = [];

        public bool ReadsDictionary { get; init; }

        /// <summary>The selected pages in row order: a run of pages to read (an index into <see cref="Ranges"/>) or a page the cache holds.</summary>
        public List<(long FirstRow, int Range, CachedPage? Page)> Steps { get; } = [];

        /// <summary>Each range's bytes, in arrays from the shared pool (possibly longer than the range) until <see cref="Release"/>.</summary>
        public byte[][]? Bytes { get; set; }

        public ReadOnlySpan<byte> RangeBytes(int r) => Bytes![r].AsSpan(0, Ranges[r].Length);

        public void Release()
        {
            foreach (var bytes in Bytes ?? [])
            {
                if (bytes is not null)   // a fetch that failed part-way rented only some
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
                }
            }
            Bytes = null;
        }
    }

    /// <summary>The pages of the chunk the selection touches, or null when the chunk has no offset index (it is read whole).</summary>
    private async Task<PagePlan?> PlanPagesAsync(RowGroup group, ParquetColumn column, RowSelection selection, CancellationToken cancellationToken)
    {
        var chunk = group.Columns[column.Index];
        if (chunk.OffsetIndexOffset is not { } oiOffset || chunk.OffsetIndexLength is not { } oiLength)
        {
            return null;
        }
        var (start, length) = ChunkRange(chunk.MetaData!, column);
        var pages = (await OffsetIndexAsync(oiOffset, oiLength, cancellationToken).ConfigureAwait(false)).PageLocations;
        ChunkDictionary? cached = null;
        var hasDictionary = pages.Count > 0 && pages[0].Offset > start;
        if (hasDictionary)
        {
            _options.Cache?.TryGetDictionary(group, column.Index, out cached);
        }
        var plan = new PagePlan { CachedDictionary = cached, ReadsDictionary = hasDictionary && cached is null };
        if (plan.ReadsDictionary)
        {
            plan.Ranges.Add((start, checked((int)(pages[0].Offset - start)), 0));
        }
        // Pages are in row order: from the page holding the selection's first row to the one holding its last (a
        // selective read takes a few pages of a chunk of hundreds).
        // (A file whose offset index lists pages out of row order has every page looked at.)
        var ordered = PagesInRowOrder(oiOffset, pages);
        var (selectedFrom, selectedTo) = selection.IsEmpty ? (0L, 0L) : (selection.Ranges[0].Start, selection.Ranges[^1].End);
        for (var p = ordered ? FirstPageAtOrAfter(pages, selectedFrom) : 0; p < pages.Count && (!ordered || pages[p].FirstRowIndex < selectedTo); p++)
        {
            var first = pages[p].FirstRowIndex;
            var end = p + 1 < pages.Count ? pages[p + 1].FirstRowIndex : group.NumRows;
            if (!selection.Overlaps(first, end))
            {
                continue;
            }
            if (pages[p].Offset < start || pages[p].CompressedPageSize < 0 || pages[p].Offset + pages[p].CompressedPageSize > start + length)
            {
                throw new ParquetFormatException($"column '{column.Name}': page {p} lies outside its column chunk");
            }
            if (_options.Cache is { } cache && cache.TryGetPage(this, pages[p].Offset, out var cachedPage))
            {
                plan.Steps.Add((first, -1, cachedPage));
                continue;
            }
            // Pages that follow each other in the file (and in the steps) are read as one range.
            if (plan.Steps.Count > 0 && plan.Steps[^1].Page is null && plan.Ranges[^1] is var last && last.Offset + last.Length == pages[p].Offset)
            {
                plan.Ranges[^1] = (last.Offset, checked(last.Length + pages[p].CompressedPageSize), last.FirstRow);
            }
            else
            {
                plan.Ranges.Add((pages[p].Offset, pages[p].CompressedPageSize, first));
                plan.Steps.Add((first, plan.Ranges.Count - 1, null));
            }
        }
        return plan;
    }

    /// <summary>The page holding row <paramref name="row"/>: the last whose first row is at or before it (0 when none is).</summary>
    private static int FirstPageAtOrAfter(List<PageLocation> pages, long row)
    {
        int lo = 0, hi = pages.Count - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (pages[mid].FirstRowIndex <= row)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>Reads every plan's ranges in one request to the source.</summary>
    private async Task FetchAsync(IReadOnlyList<PagePlan> plans, CancellationToken cancellationToken)
    {
        var ranges = new List<SourceRange>();
        foreach (var plan in plans)
        {
            plan.Bytes = new byte[plan.Ranges.Count][];
            for (var r = 0; r < plan.Ranges.Count; r++)
            {
                var (offset, length, _) = plan.Ranges[r];
                if (length < 0 || offset < 0 || offset > _source.Length - length)
                {
                    throw new ParquetFormatException($"range [{offset}, +{length}) lies outside the file");
                }
                plan.Bytes[r] = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
                ranges.Add(new SourceRange(offset, plan.Bytes[r].AsMemory(0, length)));
            }
        }
        if (ranges.Count > 0)
        {
            await _source.ReadAsync(ranges, cancellationToken).ConfigureAwait(false);
        }
    }

    private ParquetColumn FindColumn(string name) =>
        _columns.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"the file has no column '{name}'");

    /// <summary>Whether the column index shows every row of the selected pages inside the predicate (no nulls either).</summary>
    private async Task<bool> SelectedPagesWhollyMatchAsync(RowGroup group, ParquetColumn column, RowSelection selection, ColumnRange predicate, CancellationToken cancellationToken)
    {
        var chunk = group.Columns[column.Index];
        if (predicate.AnyOf is not null || chunk.ColumnIndexOffset is not { } ciOffset || chunk.ColumnIndexLength is not { } ciLength || chunk.OffsetIndexOffset is not { } oiOffset || chunk.OffsetIndexLength is not { } oiLength)
        {
            return false;
        }
        var columnIndex = await ColumnIndexAsync(ciOffset, ciLength, cancellationToken).ConfigureAwait(false);
        var pages = (await OffsetIndexAsync(oiOffset, oiLength, cancellationToken).ConfigureAwait(false)).PageLocations;
        if (columnIndex.NullCounts is not { } nullCounts || nullCounts.Count != pages.Count || columnIndex.MinValues.Count != pages.Count || columnIndex.MaxValues.Count != pages.Count || columnIndex.NullPages.Count != pages.Count)
        {
            return false;
        }
        var (mins, maxes) = DecodedBounds(ciOffset, column, columnIndex);
        for (var p = 0; p < pages.Count; p++)
        {
            var end = p + 1 < pages.Count ? pages[p + 1].FirstRowIndex : group.NumRows;
            if (!selection.Overlaps(pages[p].FirstRowIndex, end))
            {
                continue;
            }
            if (columnIndex.NullPages[p] || nullCounts[p] != 0 || !Bounds.Within(mins[p], maxes[p], predicate))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Rows of the group that the column index says may match (all rows when the file has no page index).</summary>
    private async Task<RowSelection> PageSelectionAsync(RowGroup group, ParquetColumn column, ColumnRange predicate, CancellationToken cancellationToken)
    {
        var chunk = group.Columns[column.Index];
        if (chunk.ColumnIndexOffset is not { } ciOffset || chunk.ColumnIndexLength is not { } ciLength || chunk.OffsetIndexOffset is not { } oiOffset || chunk.OffsetIndexLength is not { } oiLength)
        {
            return RowSelection.All(group.NumRows);
        }
        var columnIndex = await ColumnIndexAsync(ciOffset, ciLength, cancellationToken).ConfigureAwait(false);
        var offsetIndex = await OffsetIndexAsync(oiOffset, oiLength, cancellationToken).ConfigureAwait(false);
        var pages = offsetIndex.PageLocations;
        if (columnIndex.NullPages.Count != pages.Count || columnIndex.MinValues.Count != pages.Count || columnIndex.MaxValues.Count != pages.Count)
        {
            throw new ParquetFormatException($"column '{column.Name}': the column index lists {columnIndex.NullPages.Count} pages, the offset index {pages.Count}");
        }
        var (mins, maxes) = DecodedBounds(ciOffset, column, columnIndex);
        // Pages are listed in row order: neighbouring kept pages join into one range as they are found (a selective
        // query keeps a run of a few pages, not a list as long as the column's pages).
        var ranges = new List<(long Start, long End)>();
        predicate = Bounds.AsUtf8(predicate);
        var ordered = true;
        // Pages whose bounds ascend (a sorted column: a tag-sorted file's first tag, a time-sorted file's time) are
        // searched for the first and last that may hold the range, instead of each compared in turn.
        var (from, to) = (0, pages.Count);
        if (columnIndex.BoundaryOrder == BoundaryOrder.Ascending && SearchableBounds(ciOffset, columnIndex, mins, maxes))
        {
            from = FirstPage(mins.Length, p => !Bounds.Below(maxes[p], predicate));
            to = FirstPage(mins.Length, p => Bounds.Above(mins[p], predicate));
        }
        for (var p = from; p < to; p++)
        {
            if (columnIndex.NullPages[p])
            {
                continue;
            }
            if (Bounds.MayOverlap(column, mins[p], maxes[p], predicate))
            {
                var start = pages[p].FirstRowIndex;
                var end = p + 1 < pages.Count ? pages[p + 1].FirstRowIndex : group.NumRows;
                if (ranges.Count > 0 && ranges[^1].End == start)
                {
                    ranges[^1] = (ranges[^1].Start, end);
                }
                else
                {
                    ordered &= ranges.Count == 0 || ranges[^1].End < start;
                    ranges.Add((start, end));
                }
            }
        }
        return ordered ? new RowSelection(ranges) : RowSelection.FromRanges(ranges);
    }

    private async Task<ArrayData> ReadColumnAsync(RowGroup group, ParquetColumn column, RowSelection selection, CancellationToken cancellationToken, PagePlan? plan = null)
    {
        using var decoder = new ColumnChunkDecoder(column, group.Columns[column.Index].MetaData!.Codec, _options);
        await DecodeColumnAsync(group, column, selection, decoder, plan, cancellationToken).ConfigureAwait(false);
        if (decoder.Length != selection.RowCount)
        {
            throw new ParquetFormatException($"column '{column.Name}': decoded {decoder.Length} rows, the row group selects {selection.RowCount}");
        }
        return decoder.Build();
    }

    /// <summary>Runs the selected pages of a column chunk through <paramref name="decoder"/>.</summary>
    private async Task DecodeColumnAsync(RowGroup group, ParquetColumn column, RowSelection selection, ColumnChunkDecoder decoder, PagePlan? plan, CancellationToken cancellationToken)
    {
        var meta = group.Columns[column.Index].MetaData!;
        if (selection.IsEmpty)
        {
            return;
        }
        decoder.Reserve((int)selection.RowCount);
        var ownsPlan = false;
        if (plan is null && selection.RowCount < group.NumRows)
        {
            plan = await PlanPagesAsync(group, column, selection, cancellationToken).ConfigureAwait(false);
            ownsPlan = true;
        }
        if (plan is not null)
        {
            try
            {
                // Only the dictionary page (if any, and not cached) and the data pages whose rows are selected.
                if (plan.Bytes is null)
                {
                    await FetchAsync([plan], cancellationToken).ConfigureAwait(false);
                }
                if (plan.CachedDictionary is { } cached)
                {
                    decoder.UseDictionary(cached);
                }
                if (plan.ReadsDictionary)
                {
                    decoder.DecodePages(plan.RangeBytes(0), 0, selection, fileOffset: plan.Ranges[0].Offset);
                    if (decoder.Dictionary is { } read)
                    {
                        _options.Cache?.AddDictionary(group, column.Index, read);
                    }
                }
                foreach (var (firstRow, range, page) in plan.Steps)
                {
                    if (page is not null)
                    {
                        decoder.DecodeCachedPage(page, firstRow, selection);
                    }
                    else
                    {
                        decoder.DecodePages(plan.RangeBytes(range), firstRow, selection, _options.Cache, this, plan.Ranges[range].Offset);
                    }
                }
            }
            finally
            {
                if (ownsPlan)
                {
                    plan.Release();
                }
            }
        }
        else
        {
            var (start, length) = ChunkRange(meta, column);
            decoder.DecodePages(await ReadRangeAsync(start, checked((int)length), cancellationToken).ConfigureAwait(false), 0, selection, fileOffset: start);
        }
    }

    private (long Start, long Length) ChunkRange(ColumnMetaData meta, ParquetColumn column)
    {
        // Some writers put 0 in dictionary_page_offset when there is none; only a dictionary before the data counts.
        var start = meta.DictionaryPageOffset is { } d && d > 0 && d < meta.DataPageOffset ? d : meta.DataPageOffset;
        var length = meta.TotalCompressedSize;
        if (start < 4 || length < 0 || length > _options.MaxChunkLength || start > _source.Length - length)
        {
            throw new ParquetFormatException($"column '{column.Name}': chunk [{start}, +{length}) lies outside the file");
        }
        return (start, length);
    }

    // Page indexes parsed once per reader, by their offset in the file (files never change): a selective query that
    // is asked again — a dashboard refreshing one series — reads only its pages, not the indexes again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, ColumnIndex> _columnIndexes = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, OffsetIndex> _offsetIndexes = new();

    // Each column index's page bounds decoded once, by the index's offset: every selective read compares them with its
    // predicates, and decoding boxed every page's bounds again each time.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, (object?[] Min, object?[] Max)> _decodedBounds = new();

    /// <summary>The first page in [0, <paramref name="count"/>) for which <paramref name="test"/> holds (count when none), for a test that holds from some page on.</summary>
    private static int FirstPage(int count, Func<int, bool> test)
    {
        int lo = 0, hi = count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (test(mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, bool> _searchableBounds = new();

    /// <summary>
    /// Whether an ascending column index can be searched: no null page (their bounds are not ordered) and every bound
    /// decoded. Its order is then checked, not trusted: a file that claims ascending bounds and has none is read page by page.
    /// </summary>
    private bool SearchableBounds(long offset, ColumnIndex index, object?[] mins, object?[] maxes) =>
        _searchableBounds.GetOrAdd(offset, static (_, state) =>
        {
            var (index, mins, maxes) = state;
            for (var p = 0; p < mins.Length; p++)
            {
                if (index.NullPages[p] || mins[p] is null || maxes[p] is null || mins[p] is double.NaN || maxes[p] is double.NaN)
                {
                    return false;
                }
                if (p > 0 && (Bounds.Order(mins[p - 1]!, mins[p]!) > 0 || Bounds.Order(maxes[p - 1]!, maxes[p]!) > 0))
                {
                    return false;
                }
            }
            return true;
        }, (index, mins, maxes));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, bool> _pagesInRowOrder = new();

    /// <summary>Whether an offset index (at <paramref name="offset"/>) lists its pages by ascending first row, as writers do.</summary>
    private bool PagesInRowOrder(long offset, List<PageLocation> pages) =>
        _pagesInRowOrder.GetOrAdd(offset, static (_, pages) =>
        {
            for (var p = 1; p < pages.Count; p++)
            {
                if (pages[p].FirstRowIndex < pages[p - 1].FirstRowIndex)
                {
                    return false;
                }
            }
            return true;
        }, pages);

    private (object?[] Min, object?[] Max) DecodedBounds(long offset, ParquetColumn column, ColumnIndex index) =>
        _decodedBounds.GetOrAdd(offset, static (_, state) =>
        {
            var (column, index) = state;
            var min = new object?[index.MinValues.Count];
            var max = new object?[index.MaxValues.Count];
            for (var p = 0; p < min.Length; p++)
            {
                min[p] = Bounds.Decode(column, index.MinValues[p]);
                max[p] = Bounds.Decode(column, index.MaxValues[p]);
            }
            return (min, max);
        }, (column, index));

    private async Task<ColumnIndex> ColumnIndexAsync(long offset, int length, CancellationToken cancellationToken)
    {
        if (!_columnIndexes.TryGetValue(offset, out var index))
        {
            index = ColumnIndex.Parse(await ReadRangeAsync(offset, length, cancellationToken).ConfigureAwait(false));
            _columnIndexes.TryAdd(offset, index);
        }
        return index;
    }

    private async Task<OffsetIndex> OffsetIndexAsync(long offset, int length, CancellationToken cancellationToken)
    {
        if (!_offsetIndexes.TryGetValue(offset, out var index))
        {
            index = OffsetIndex.Parse(await ReadRangeAsync(offset, length, cancellationToken).ConfigureAwait(false));
            _offsetIndexes.TryAdd(offset, index);
        }
        return index;
    }

    private async Task<byte[]> ReadRangeAsync(long offset, int length, CancellationToken cancellationToken)
    {
        if (length < 0 || offset < 0 || offset > _source.Length - length)
        {
            throw new ParquetFormatException($"range [{offset}, +{length}) lies outside the file");
        }
        var bytes = GC.AllocateUninitializedArray<byte>(length);
        await _source.ReadAsync(offset, bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    private static (object? Min, object? Max) StatisticsBounds(ParquetColumn column, Statistics? statistics)
    {
        if (statistics is null)
        {
            return (null, null);
        }
        if (statistics.MinValue is not null && statistics.MaxValue is not null)
        {
            return (Bounds.Decode(column, statistics.MinValue), Bounds.Decode(column, statistics.MaxValue));
        }
        // The deprecated min/max are only trustworthy where signed order is the column's order.
        if (statistics.Min is not null && statistics.Max is not null && !column.UnsignedOrder && column.PhysicalType != PhysicalType.Int96)
        {
            return (Bounds.Decode(column, statistics.Min), Bounds.Decode(column, statistics.Max));
        }
        return (null, null);
    }

    internal static string Describe(object? value) => value switch
    {
        null => "unbounded",
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => value.ToString() ?? "",
    };
}
