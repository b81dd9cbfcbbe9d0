using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Parquet.Compression;
using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Schema;

namespace Tsdb.Parquet.Reading;

/// <summary>
/// Decodes the pages of one column chunk into one Arrow array, keeping only the rows of a selection. Handles data
/// pages v1 and v2; PLAIN, dictionary (RLE_DICTIONARY and PLAIN_DICTIONARY), RLE booleans, DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT values; INT96 timestamps.
/// </summary>
internal sealed class ColumnChunkDecoder : IDisposable
{
    private readonly ParquetColumn _column;
    private readonly CompressionCodec _codec;
    private readonly ParquetReadOptions _options;
    private readonly OutputColumn _output;
    private byte[] _pageBuffer = [];
    private int[] _defLevels = [];
    private long[] _longs = [];
    private int[] _ints = [];
    private double[] _doubles = [];
    private float[] _floats = [];
    private int[] _offsets = [];
    private readonly ByteBuffer _data = new();
    private byte[] _bits = [];

    // The dictionary, decoded once per chunk, in the same typed form as page values.
    private int _dictionaryCount = -1;
    private long[] _dictLongs = [];
    private int[] _dictInts = [];
    private double[] _dictDoubles = [];
    private float[] _dictFloats = [];
    private int[] _dictOffsets = [];
    private byte[] _dictData = [];
    private int[]? _dictMap;             // Parquet dictionary index → output dictionary index, -1 until first used
    private int[] _mapped = [];
    private long[] _gatheredLongs = [];
    private double[] _gatheredDoubles = [];

    // Filtering instead of decoding (see RowFilter): verdicts per dictionary index (0 untested, 1 passes, -1 fails)
    // and the passing rows found so far, the last run still open.
    private readonly Func<ReadOnlySpan<byte>, bool>? _rowFilter;
    private sbyte[] _verdicts = [];
    private bool _verdictsCleared;
    private readonly List<(long Start, long End)> _passing = [];
    private long _runStart;
    private long _runEnd;

    // Or a range test of an INT64 column (a time range): min and max inclusive.
    private readonly (long Min, long Max)? _range;

    // Runs of a delta-encoded page's window that lie in _range (DeltaBinaryPacked.SelectInRange), reused per page.
    private readonly List<(int Start, int End)> _runs = [];

    // A dictionary-encoded page's window as runs of one index (RleBitPackedHybrid.DecodeRuns), reused per page.
    private readonly List<(int Start, int Length, int Value)> _dictionaryRuns = [];

    public ColumnChunkDecoder(ParquetColumn column, CompressionCodec codec, ParquetReadOptions options, Func<ReadOnlySpan<byte>, bool>? rowFilter = null)
        : this(column, codec, options, rowFilter, null)
    {
    }

    /// <summary>A decoder that collects the selected rows of an INT64 column whose value lies in [min, max] (see <see cref="PassingRows"/>).</summary>
    public ColumnChunkDecoder(ParquetColumn column, CompressionCodec codec, ParquetReadOptions options, long min, long max)
        : this(column, codec, options, null, (min, max))
    {
        if (column.PhysicalType != PhysicalType.Int64)
        {
            throw new ArgumentException($"a range filter needs an INT64 column, not {column.PhysicalType}", nameof(column));
        }
    }

    private ColumnChunkDecoder(ParquetColumn column, CompressionCodec codec, ParquetReadOptions options, Func<ReadOnlySpan<byte>, bool>? rowFilter, (long Min, long Max)? range)
    {
        _rowFilter = rowFilter;
        _range = range;
        _column = column;
        _codec = codec;
        _options = options;
        _output = new OutputColumn(column.ArrowType);
    }

    private string Where => $"column '{_column.Name}'";

    public int Length => _output.Length;

    public ArrayData Build() => _output.Build();

    private bool Filters => _rowFilter is not null || _range is not null;

    public void Reserve(int rows)
    {
        if (!Filters)
        {
            _output.Reserve(rows);
        }
    }

    /// <summary>
    /// With a row filter (a test of a BYTE_ARRAY value's bytes) or a range (of an INT64 column) the decoder appends
    /// nothing: it collects the selected rows whose value passes. A dictionary-encoded page is tested on its indices
    /// (each dictionary entry once) without turning them into values; a range is tested on the window of a page the
    /// selection covers, decoded in place, by vectorised searches for where values enter and leave it. Rows with nulls
    /// never pass.
    /// </summary>
    public RowSelection PassingRows()
    {
        var ranges = new List<(long Start, long End)>(_passing);
        if (_runEnd > _runStart)
        {
            ranges.Add((_runStart, _runEnd));
        }
        return new RowSelection(ranges);
    }

    /// <summary>The dictionary decoded from this chunk's dictionary page, or null when none was read.</summary>
    public ChunkDictionary? Dictionary => _dictionaryCount < 0 ? null
        : new ChunkDictionary(_dictionaryCount, _dictLongs, _dictInts, _dictDoubles, _dictFloats, _dictOffsets, _dictData);

    /// <summary>Uses a dictionary decoded earlier (by another read of the same chunk) instead of reading the page.</summary>
    public void UseDictionary(ChunkDictionary dictionary)
    {
        (_dictionaryCount, _dictLongs, _dictInts, _dictDoubles, _dictFloats, _dictOffsets, _dictData) =
            (dictionary.Count, dictionary.Longs, dictionary.Ints, dictionary.Doubles, dictionary.Floats, dictionary.Offsets, dictionary.Data);
        ForgetDictionaryMap();
    }

    public void Dispose()
    {
        ForgetDictionaryMap();
        _output.Dispose();
        _data.Dispose();
        Return(ref _pageBuffer);
        Return(ref _defLevels);
        Return(ref _longs);
        Return(ref _ints);
        Return(ref _doubles);
        Return(ref _floats);
        Return(ref _offsets);
        Return(ref _bits);
        Return(ref _mapped);
        Return(ref _gatheredLongs);
        Return(ref _gatheredDoubles);
        Return(ref _verdicts);
    }

    /// <summary>
    /// Decodes the pages in <paramref name="bytes"/> (starting with a header each) whose rows begin at
    /// <paramref name="firstRow"/>. With a cache, every version-1 data page decompressed here is also kept in it, under
    /// <paramref name="file"/> and its offset (<paramref name="fileOffset"/> is where <paramref name="bytes"/> start).
    /// </summary>
    public void DecodePages(ReadOnlySpan<byte> bytes, long firstRow, RowSelection selection, ReadCache? cache = null, object? file = null, long fileOffset = 0)
    {
        var position = 0;
        var row = firstRow;
        while (position < bytes.Length)
        {
            PageHeader header;
            int headerLength;
            try
            {
                header = PageHeader.Parse(bytes[position..], out headerLength);
            }
            catch (ParquetFormatException e)
            {
                throw new ParquetFormatException($"{Where}: bad page header at chunk offset {position}: {e.Message}", e);
            }
            var compressed = header.CompressedPageSize;
            var uncompressed = header.UncompressedPageSize;
            if (compressed < 0 || compressed > bytes.Length - position - headerLength || uncompressed < 0 || uncompressed > _options.MaxPageLength)
            {
                throw new ParquetFormatException($"{Where}: page at chunk offset {position} claims {compressed} compressed / {uncompressed} uncompressed bytes, {bytes.Length - position - headerLength} remain");
            }
            var body = bytes.Slice(position + headerLength, compressed);
            var pageOffset = fileOffset + position;
            if (header.Crc is { } crc && _options.VerifyPageChecksums)
            {
                VerifyChecksum(header.Type, crc, body, pageOffset);
            }
            position += headerLength + compressed;
            switch (header.Type)
            {
                case PageType.DictionaryPage:
                    DecodeDictionary(header, body);
                    break;
                case PageType.DataPage when cache is not null && file is not null:
                    row += DecodeDataPageV1(header, body, row, selection, page => cache.AddPage(file, pageOffset, new CachedPage(header, page.ToArray())));
                    break;
                case PageType.DataPage:
                    row += DecodeDataPageV1(header, body, row, selection);
                    break;
                case PageType.DataPageV2:
                    row += DecodeDataPageV2(header, body, row, selection);
                    break;
                default:
                    break; // index pages and unknown page types carry no rows
            }
        }
    }

    /// <summary>The header's CRC-32 against the page as stored: a page damaged at rest is an error, never wrong values.</summary>
    private void VerifyChecksum(PageType type, int expected, ReadOnlySpan<byte> body, long pageOffset)
    {
        var actual = Crc32.HashToUInt32(body);
        if (actual != unchecked((uint)expected))
        {
            throw new ParquetFormatException($"{Where}: {type} page at file offset {pageOffset} fails its CRC check (header {unchecked((uint)expected):x8}, page {actual:x8})");
        }
    }

    private Span<byte> Decompress(ReadOnlySpan<byte> body, int uncompressed)
    {
        Ensure(ref _pageBuffer, uncompressed);
        var output = _pageBuffer.AsSpan(0, uncompressed);
        PageCompression.Decompress(_codec, body, output, Where);
        return output;
    }

    private void DecodeDictionary(PageHeader header, ReadOnlySpan<byte> body)
    {
        var dict = header.DictionaryPageHeader ?? throw new ParquetFormatException($"{Where}: dictionary page without its header");
        if (dict.Encoding is not (Encoding.Plain or Encoding.PlainDictionary))
        {
            throw new ParquetFormatException($"{Where}: dictionary page encoding {dict.Encoding} (PLAIN expected)");
        }
        var count = dict.NumValues;
        ForgetDictionaryMap();
        var page = Decompress(body, header.UncompressedPageSize);
        if (count < 0 || count > page.Length * 8L + 1)
        {
            throw new ParquetFormatException($"{Where}: dictionary of {count} values in {page.Length} bytes");
        }
        switch (_column.PhysicalType)
        {
            case PhysicalType.Int64:
                _dictLongs = new long[count];
                PlainEncoding.DecodeFixed(page, 8, count, MemoryMarshal.AsBytes(_dictLongs.AsSpan()));
                break;
            case PhysicalType.Int96:
                _dictLongs = new long[count];
                PlainEncoding.DecodeInt96AsNanoseconds(page, count, _dictLongs);
                break;
            case PhysicalType.Int32:
                _dictInts = new int[count];
                PlainEncoding.DecodeFixed(page, 4, count, MemoryMarshal.AsBytes(_dictInts.AsSpan()));
                break;
            case PhysicalType.Double:
                _dictDoubles = new double[count];
                PlainEncoding.DecodeFixed(page, 8, count, MemoryMarshal.AsBytes(_dictDoubles.AsSpan()));
                break;
            case PhysicalType.Float:
                _dictFloats = new float[count];
                PlainEncoding.DecodeFixed(page, 4, count, MemoryMarshal.AsBytes(_dictFloats.AsSpan()));
                break;
            case PhysicalType.ByteArray:
                _dictOffsets = new int[count + 1];
                _data.Clear();
                PlainEncoding.DecodeByteArrays(page, count, _dictOffsets, _data);
                _dictData = _data.ToArray();
                break;
            case PhysicalType.FixedLenByteArray:
                _dictOffsets = new int[count + 1];
                _dictData = new byte[(long)count * _column.TypeLength <= page.Length ? count * _column.TypeLength : throw new ParquetFormatException($"{Where}: dictionary page too short")];
                PlainEncoding.DecodeFixed(page, _column.TypeLength, count, _dictData);
                for (var i = 0; i <= count; i++)
                {
                    _dictOffsets[i] = i * _column.TypeLength;
                }
                break;
            default:
                throw new ParquetFormatException($"{Where}: a dictionary for {_column.PhysicalType} values is not supported");
        }
        _dictionaryCount = count;
    }

    /// <summary>Decodes a data page kept decompressed by a <see cref="ReadCache"/>; returns its rows.</summary>
    public int DecodeCachedPage(CachedPage page, long firstRow, RowSelection selection)
    {
        var h = page.Header.DataPageHeader ?? throw new ParquetFormatException($"{Where}: data page without its header");
        if (h.NumValues < 0 || !selection.Overlaps(firstRow, firstRow + h.NumValues))
        {
            return Math.Max(h.NumValues, 0);
        }
        _cachedPage = page;
        try
        {
            return DecodeDataPageV1Values(h, page.Data, firstRow, selection);
        }
        finally
        {
            _cachedPage = null;
        }
    }

    // The cached page being decoded, whose delta block index a window deep in it starts from.
    private CachedPage? _cachedPage;

    /// <summary>A window starting this many values into a delta-encoded page starts from the page's block index.</summary>
    private const int IndexedSkip = 2 * DeltaBinaryPacked.BlockSize;

    private DeltaBinaryPacked.BlockIndex? DeltaBlocks(ReadOnlySpan<byte> values, int skip) =>
        skip >= IndexedSkip ? _cachedPage?.DeltaBlocks(values) : null;

    private int DecodeDataPageV1(PageHeader header, ReadOnlySpan<byte> body, long firstRow, RowSelection selection, SpanAction? decompressed = null)
    {
        var h = header.DataPageHeader ?? throw new ParquetFormatException($"{Where}: data page without its header");
        var rows = h.NumValues;
        if (rows < 0)
        {
            throw new ParquetFormatException($"{Where}: data page with {rows} values");
        }
        if (!selection.Overlaps(firstRow, firstRow + rows))
        {
            // Fetched for the selection before a predicate narrowed it: kept all the same, or the same read would
            // fetch it again every time only to skip it.
            decompressed?.Invoke(Decompress(body, header.UncompressedPageSize));
            return rows;
        }
        var page = Decompress(body, header.UncompressedPageSize);
        decompressed?.Invoke(page);
        return DecodeDataPageV1Values(h, page, firstRow, selection);
    }

    private delegate void SpanAction(ReadOnlySpan<byte> page);

    /// <summary>A version-1 data page's levels and values, decompressed.</summary>
    private int DecodeDataPageV1Values(DataPageHeader h, ReadOnlySpan<byte> page, long firstRow, RowSelection selection)
    {
        var rows = h.NumValues;
        var position = 0;
        var nonNull = rows;
        if (_column.MaxDefinitionLevel > 0)
        {
            if (h.DefinitionLevelEncoding != Encoding.Rle)
            {
                throw new ParquetFormatException($"{Where}: definition levels in {h.DefinitionLevelEncoding} are not supported (RLE is)");
            }
            if (page.Length < 4)
            {
                throw new ParquetFormatException($"{Where}: data page too short for its definition levels");
            }
            var length = BinaryPrimitives.ReadInt32LittleEndian(page);
            if (length < 0 || length > page.Length - 4)
            {
                throw new ParquetFormatException($"{Where}: definition levels of {length} bytes in a page of {page.Length}");
            }
            nonNull = DecodeLevels(page.Slice(4, length), rows);
            position = 4 + length;
        }
        DecodePageValues(h.Encoding, page[position..], rows, nonNull, firstRow, selection);
        return rows;
    }

    private int DecodeDataPageV2(PageHeader header, ReadOnlySpan<byte> body, long firstRow, RowSelection selection)
    {
        var h = header.DataPageHeaderV2 ?? throw new ParquetFormatException($"{Where}: data page v2 without its header");
        var rows = h.NumValues;
        var defLength = h.DefinitionLevelsByteLength;
        var repLength = h.RepetitionLevelsByteLength;
        if (rows < 0 || defLength < 0 || repLength < 0 || (long)defLength + repLength > body.Length || (long)defLength + repLength > header.UncompressedPageSize)
        {
            throw new ParquetFormatException($"{Where}: data page v2 with {rows} values and level lengths {repLength}/{defLength} in {body.Length} bytes");
        }
        if (!selection.Overlaps(firstRow, firstRow + rows))
        {
            return rows;
        }
        var nonNull = rows;
        if (_column.MaxDefinitionLevel > 0)
        {
            nonNull = DecodeLevels(body.Slice(repLength, defLength), rows);
        }
        else if (h.NumNulls != 0)
        {
            throw new ParquetFormatException($"{Where}: a required column's page has {h.NumNulls} nulls");
        }
        var valuesBody = body[(repLength + defLength)..];
        var valuesLength = header.UncompressedPageSize - repLength - defLength;
        ReadOnlySpan<byte> values = h.IsCompressed != false && _codec != CompressionCodec.Uncompressed
            ? Decompress(valuesBody, valuesLength)
            : valuesBody;
        DecodePageValues(h.Encoding, values, rows, nonNull, firstRow, selection);
        return rows;
    }

    /// <summary>Decodes a page's values (after its levels) and appends its selected rows.</summary>
    private void DecodePageValues(Encoding encoding, ReadOnlySpan<byte> values, int rows, int nonNull, long firstRow, RowSelection selection)
    {
        if (Filters)
        {
            FilterPage(encoding, values, rows, nonNull, firstRow, selection);
            return;
        }
        if (nonNull == rows && selection.Bounds(firstRow, firstRow + rows, out var first, out var last)
            && (first > firstRow || last < firstRow + rows)
            && DecodeWindow(encoding, values, rows, (int)(first - firstRow), (int)(last - firstRow), out var windowStart))
        {
            var decoded = (int)(last - firstRow) - windowStart;
            Emit(decoded, decoded, firstRow + windowStart, selection);
            return;
        }
        if (!DecodeStraight(encoding, values, rows, nonNull, firstRow, selection))
        {
            DecodeValues(encoding, values, nonNull);
            Emit(rows, nonNull, firstRow, selection);
        }
    }

    /// <summary>Adds the selected rows of a page whose value passes the row filter to the passing rows.</summary>
    private void FilterPage(Encoding encoding, ReadOnlySpan<byte> values, int rows, int nonNull, long firstRow, RowSelection selection)
    {
        if (!selection.Bounds(firstRow, firstRow + rows, out var first, out var last))
        {
            return;
        }
        if (_range is { } even && nonNull == rows && encoding == Encoding.DeltaBinaryPacked && _column.PhysicalType == PhysicalType.Int64)
        {
            // Delta-encoded times: the window's runs in range found per miniblock, evenly stepped ones by division.
            if (DeltaBinaryPacked.ReadTotalCount(values) != rows)
            {
                throw new ParquetFormatException($"{Where}: DELTA_BINARY_PACKED page holds {DeltaBinaryPacked.ReadTotalCount(values)} values, {rows} expected");
            }
            _runs.Clear();
            DeltaBinaryPacked.SelectInRange(values, (int)(first - firstRow), (int)(last - first), even.Min, even.Max, _runs, DeltaBlocks(values, (int)(first - firstRow)));
            AddSelectedRuns(first, selection);
            return;
        }
        if (_range is { } range && nonNull == rows
            && DecodeWindow(encoding, values, rows, (int)(first - firstRow), (int)(last - firstRow), out var windowStart) && !_valuesFromDictionary)
        {
            FilterRange(_longs.AsSpan(0, (int)(last - firstRow) - windowStart), firstRow + windowStart, selection, range.Min, range.Max);
            return;
        }
        if (_range is null && nonNull == rows && encoding is Encoding.RleDictionary or Encoding.PlainDictionary)
        {
            // Only the indices of the selected window, as runs of one index, never expanded: a tag-sorted page is a few
            // runs thousands of rows long (a series' rows), each tested once.
            _dictionaryRuns.Clear();
            DecodeDictionaryRuns(values, (int)(last - first), (int)(first - firstRow), _dictionaryRuns);
            _runs.Clear();
            foreach (var (start, length, key) in _dictionaryRuns)
            {
                if (DictionaryVerdict(key))
                {
                    _runs.Add((start, start + length));
                }
            }
            AddSelectedRuns(first, selection);
            return;
        }
        // Other pages: every value decoded, the selected present ones tested.
        DecodeValues(encoding, values, nonNull);
        var ranges = selection.Ranges;
        var r = 0;
        var value = 0;
        for (var i = 0; i < rows; i++)
        {
            var row = firstRow + i;
            while (r < ranges.Count && ranges[r].End <= row)
            {
                r++;
            }
            if (nonNull != rows && _defLevels[i] == 0)
            {
                continue;
            }
            if (r < ranges.Count && ranges[r].Start <= row && Passes(value))
            {
                AddPassing(row, row + 1);
            }
            value++;
        }
    }

    /// <summary>Whether the page's decoded value number <paramref name="value"/> passes the filter.</summary>
    private bool Passes(int value)
    {
        if (_range is { } range)
        {
            var v = _valuesFromDictionary ? _dictLongs[_ints[value]] : _longs[value];
            return v >= range.Min && v <= range.Max;
        }
        return _valuesFromDictionary ? DictionaryVerdict(_ints[value]) : _rowFilter!(_data.WrittenSpan[_offsets[value].._offsets[value + 1]]);
    }

    /// <summary>The rows of <see cref="_runs"/> (window positions from row <paramref name="windowRow"/>) that the selection holds, as passing.</summary>
    private void AddSelectedRuns(long windowRow, RowSelection selection)
    {
        var ranges = selection.Ranges;
        var r = 0;
        foreach (var (runStart, runEnd) in _runs)
        {
            var (from, to) = (windowRow + runStart, windowRow + runEnd);
            while (r < ranges.Count && ranges[r].End <= from)
            {
                r++;
            }
            for (var k = r; k < ranges.Count && ranges[k].Start < to; k++)
            {
                var start = Math.Max(from, ranges[k].Start);
                var end = Math.Min(to, ranges[k].End);
                if (start < end)
                {
                    AddPassing(start, end);
                }
            }
        }
    }

    /// <summary>
    /// The rows of <paramref name="selection"/> among those <paramref name="window"/> holds (from row
    /// <paramref name="windowRow"/>) whose value lies in [min, max]: a sorted run of times enters the range once and
    /// leaves it once, so each selected range costs two vectorised searches, not a test per row.
    /// </summary>
    private void FilterRange(ReadOnlySpan<long> window, long windowRow, RowSelection selection, long min, long max)
    {
        if (min > max)
        {
            return;
        }
        var windowEnd = windowRow + window.Length;
        foreach (var (start, end) in selection.Ranges)
        {
            var from = Math.Max(start, windowRow);
            var to = Math.Min(end, windowEnd);
            if (from >= to)
            {
                continue;
            }
            var part = window[(int)(from - windowRow)..(int)(to - windowRow)];
            for (var at = 0; at < part.Length;)
            {
                var enters = part[at..].IndexOfAnyInRange(min, max);
                if (enters < 0)
                {
                    break;
                }
                at += enters;
                var leaves = part[at..].IndexOfAnyExceptInRange(min, max);
                var runEnd = leaves < 0 ? part.Length : at + leaves;
                AddPassing(from + at, from + runEnd);
                at = runEnd;
            }
        }
    }

    /// <summary>Whether dictionary entry <paramref name="index"/> passes the row filter, tested the first time it is asked.</summary>
    private bool DictionaryVerdict(int index)
    {
        if (!_verdictsCleared)
        {
            Ensure(ref _verdicts, _dictionaryCount);
            _verdicts.AsSpan(0, _dictionaryCount).Clear();
            _verdictsCleared = true;
        }
        var verdict = _verdicts[index];
        if (verdict == 0)
        {
            verdict = _verdicts[index] = _rowFilter!(_dictData.AsSpan(_dictOffsets[index], _dictOffsets[index + 1] - _dictOffsets[index])) ? (sbyte)1 : (sbyte)-1;
        }
        return verdict > 0;
    }

    /// <summary>Rows [start, end) pass; they come in row order, so a run that continues the last one extends it.</summary>
    private void AddPassing(long start, long end)
    {
        if (start == _runEnd && _runEnd > _runStart)
        {
            _runEnd = end;
            return;
        }
        if (_runEnd > _runStart)
        {
            _passing.Add((_runStart, _runEnd));
        }
        (_runStart, _runEnd) = (start, end);
    }

    /// <summary>
    /// A page without nulls of which only rows [<paramref name="from"/>, <paramref name="to"/>) are wanted (a few
    /// series' rows out of a page of thousands): decodes only values from <paramref name="windowStart"/> to
    /// <paramref name="to"/> into the start of the scratch arrays. Dictionary indices, PLAIN and BYTE_STREAM_SPLIT
    /// values are found by position, so the window starts at <paramref name="from"/>; DELTA_BINARY_PACKED values are
    /// sums of the deltas before them, so its window starts at the page's first value. False for the encodings and
    /// types left to the whole-page path.
    /// </summary>
    private bool DecodeWindow(Encoding encoding, ReadOnlySpan<byte> input, int rows, int from, int to, out int windowStart)
    {
        windowStart = from;
        var count = to - from;
        if (encoding is Encoding.RleDictionary or Encoding.PlainDictionary)
        {
            Ensure(ref _ints, count);
            DecodeDictionaryIndices(input, _ints.AsSpan(0, count), from);
            _valuesFromDictionary = true;
            return true;
        }
        var width = _column.PhysicalType switch
        {
            PhysicalType.Int64 or PhysicalType.Double => 8,
            PhysicalType.Int32 or PhysicalType.Float => 4,
            _ => 0,
        };
        if (width == 0 || encoding is not (Encoding.Plain or Encoding.ByteStreamSplit or Encoding.DeltaBinaryPacked))
        {
            return false;
        }
        if (encoding == Encoding.DeltaBinaryPacked)
        {
            if (_column.PhysicalType is not (PhysicalType.Int64 or PhysicalType.Int32))
            {
                return false;
            }
            if (DeltaBinaryPacked.ReadTotalCount(input) != rows)
            {
                throw new ParquetFormatException($"{Where}: DELTA_BINARY_PACKED page holds {DeltaBinaryPacked.ReadTotalCount(input)} values, {rows} expected");
            }
            // Only the window is written; the values before it are summed (in one step per miniblock of even deltas), or
            // skipped by a cached page's block index.
            if (_column.PhysicalType == PhysicalType.Int64)
            {
                Ensure(ref _longs, count);
                DeltaBinaryPacked.DecodeRange(input, from, _longs.AsSpan(0, count), DeltaBlocks(input, from));
            }
            else
            {
                Ensure(ref _ints, count);
                DeltaBinaryPacked.DecodeRange(input, from, _ints.AsSpan(0, count), DeltaBlocks(input, from));
            }
            _valuesFromDictionary = false;
            return true;
        }
        var output = ScratchBytes(count);
        if (encoding == Encoding.Plain)
        {
            if ((long)to * width > input.Length)
            {
                throw new ParquetFormatException($"{Where}: PLAIN page of {input.Length} bytes is too short for {rows} values of {width} bytes");
            }
            input.Slice(from * width, count * width).CopyTo(output);
        }
        else
        {
            ByteStreamSplit.DecodeRange(input, width, rows, from, count, output);
        }
        _valuesFromDictionary = false;
        return true;
    }

    /// <summary>The scratch array of this column's fixed-width type, grown to <paramref name="count"/> values, as bytes.</summary>
    private Span<byte> ScratchBytes(int count)
    {
        switch (_column.PhysicalType)
        {
            case PhysicalType.Int64:
                Ensure(ref _longs, count);
                return MemoryMarshal.AsBytes(_longs.AsSpan(0, count));
            case PhysicalType.Double:
                Ensure(ref _doubles, count);
                return MemoryMarshal.AsBytes(_doubles.AsSpan(0, count));
            case PhysicalType.Int32:
                Ensure(ref _ints, count);
                return MemoryMarshal.AsBytes(_ints.AsSpan(0, count));
            default:
                Ensure(ref _floats, count);
                return MemoryMarshal.AsBytes(_floats.AsSpan(0, count));
        }
    }

    /// <summary>
    /// Dictionary indices (a bit-width byte, then RLE / bit-packed runs) of the page's values from
    /// <paramref name="skip"/> on, each checked against the dictionary.
    /// </summary>
    /// <summary>As <see cref="DecodeDictionaryIndices"/>, the indices as runs of one index (each checked against the dictionary).</summary>
    private void DecodeDictionaryRuns(ReadOnlySpan<byte> input, int count, int skip, List<(int Start, int Length, int Value)> runs)
    {
        if (IndexBitWidth(input, count) is not (>= 0 and var bitWidth))
        {
            return;
        }
        RleBitPackedHybrid.DecodeRuns(input[1..], bitWidth, count, skip, runs);
        foreach (var (_, _, index) in runs)
        {
            if ((uint)index >= (uint)_dictionaryCount)
            {
                throw new ParquetFormatException($"{Where}: dictionary index {index} outside a dictionary of {_dictionaryCount}");
            }
        }
    }

    /// <summary>The bit width that starts a page's dictionary indices, checked; -1 when none of <paramref name="count"/> is wanted.</summary>
    private int IndexBitWidth(ReadOnlySpan<byte> input, int count)
    {
        if (_dictionaryCount < 0)
        {
            throw new ParquetFormatException($"{Where}: dictionary-encoded page before any dictionary page");
        }
        if (count == 0)
        {
            return -1;
        }
        if (input.IsEmpty)
        {
            throw new ParquetFormatException($"{Where}: dictionary indices missing");
        }
        var bitWidth = input[0];
        if (bitWidth > 32)
        {
            throw new ParquetFormatException($"{Where}: dictionary index bit width {bitWidth}");
        }
        return bitWidth;
    }

    private void DecodeDictionaryIndices(ReadOnlySpan<byte> input, Span<int> indices, int skip)
    {
        if (IndexBitWidth(input, indices.Length) is not (>= 0 and var bitWidth))
        {
            return;
        }
        RleBitPackedHybrid.Decode(input[1..], bitWidth, indices, skip);
        // One vectorised pass over the indices (a tag-sorted page is a few long runs of one index).
        var bad = _dictionaryCount == 0 ? 0 : indices.IndexOfAnyExceptInRange(0, _dictionaryCount - 1);
        if (bad >= 0)
        {
            throw new ParquetFormatException($"{Where}: dictionary index {indices[bad]} outside a dictionary of {_dictionaryCount}");
        }
    }

    /// <summary>
    /// A whole page of non-null INT64 or DOUBLE values (not dictionary-encoded), every row selected: decoded straight
    /// into the output array, skipping the page buffer and its copy. False when the page needs the general path.
    /// </summary>
    private bool DecodeStraight(Encoding encoding, ReadOnlySpan<byte> input, int rows, int nonNull, long firstRow, RowSelection selection)
    {
        if (nonNull != rows || encoding is Encoding.RleDictionary or Encoding.PlainDictionary
            || _column.PhysicalType is not (PhysicalType.Int64 or PhysicalType.Double)
            || !selection.Covers(firstRow, firstRow + rows))
        {
            return false;
        }
        var output = _output.AppendEightByteValues(rows);
        if (output.IsEmpty && rows > 0)
        {
            return false;
        }
        DecodeFixedWidth(encoding, input, rows, output, 8);
        return true;
    }

    /// <summary>Decodes bit-width-1 definition levels; returns how many values are present.</summary>
    private int DecodeLevels(ReadOnlySpan<byte> input, int rows)
    {
        if (RleBitPackedHybrid.StartsWithRun(input, 1, rows, 1))
        {
            return rows; // no nulls: the levels are not needed row by row
        }
        Ensure(ref _defLevels, rows);
        RleBitPackedHybrid.Decode(input, 1, _defLevels.AsSpan(0, rows));
        var present = 0;
        for (var i = 0; i < rows; i++)
        {
            var level = _defLevels[i];
            if (level is not (0 or 1))
            {
                throw new ParquetFormatException($"{Where}: definition level {level} above the maximum 1");
            }
            present += level;
        }
        return present;
    }

    private void DecodeValues(Encoding encoding, ReadOnlySpan<byte> input, int count)
    {
        if (encoding is Encoding.RleDictionary or Encoding.PlainDictionary)
        {
            Ensure(ref _ints, count);
            DecodeDictionaryIndices(input, _ints.AsSpan(0, count), 0);
            _valuesFromDictionary = true;
            return;
        }
        _valuesFromDictionary = false;
        switch (_column.PhysicalType)
        {
            case PhysicalType.Boolean:
                Ensure(ref _bits, BitUtil.BytesFor(count), clear: true);
                if (encoding == Encoding.Rle)
                {
                    // RLE booleans: 4-byte length, then bit width 1 runs.
                    if (input.Length < 4)
                    {
                        throw new ParquetFormatException($"{Where}: RLE boolean page too short");
                    }
                    var length = BinaryPrimitives.ReadInt32LittleEndian(input);
                    if (length < 0 || length > input.Length - 4)
                    {
                        throw new ParquetFormatException($"{Where}: RLE boolean run of {length} bytes in {input.Length - 4}");
                    }
                    Ensure(ref _ints, count);
                    RleBitPackedHybrid.Decode(input.Slice(4, length), 1, _ints.AsSpan(0, count));
                    _bits.AsSpan(0, BitUtil.BytesFor(count)).Clear();
                    for (var i = 0; i < count; i++)
                    {
                        if (_ints[i] != 0)
                        {
                            BitUtil.SetBit(_bits, i);
                        }
                    }
                }
                else
                {
                    RequirePlain(encoding);
                    PlainEncoding.DecodeBooleans(input, count, _bits);
                }
                break;
            case PhysicalType.Int64:
                Ensure(ref _longs, count);
                DecodeFixedWidth(encoding, input, count, MemoryMarshal.AsBytes(_longs.AsSpan(0, count)), 8);
                break;
            case PhysicalType.Int96:
                RequirePlain(encoding);
                Ensure(ref _longs, count);
                PlainEncoding.DecodeInt96AsNanoseconds(input, count, _longs);
                break;
            case PhysicalType.Int32:
                Ensure(ref _ints, count);
                DecodeFixedWidth(encoding, input, count, MemoryMarshal.AsBytes(_ints.AsSpan(0, count)), 4);
                break;
            case PhysicalType.Double:
                Ensure(ref _doubles, count);
                DecodeFixedWidth(encoding, input, count, MemoryMarshal.AsBytes(_doubles.AsSpan(0, count)), 8);
                break;
            case PhysicalType.Float:
                Ensure(ref _floats, count);
                DecodeFixedWidth(encoding, input, count, MemoryMarshal.AsBytes(_floats.AsSpan(0, count)), 4);
                break;
            case PhysicalType.ByteArray:
                Ensure(ref _offsets, count + 1);
                _data.Clear();
                switch (encoding)
                {
                    case Encoding.Plain:
                        PlainEncoding.DecodeByteArrays(input, count, _offsets, _data);
                        break;
                    case Encoding.DeltaLengthByteArray:
                        DeltaLengthByteArray.Decode(input, count, _offsets, _data);
                        break;
                    case Encoding.DeltaByteArray:
                        DeltaByteArray.Decode(input, count, _offsets, _data);
                        break;
                    default:
                        throw Unsupported(encoding);
                }
                break;
            case PhysicalType.FixedLenByteArray:
                var width = _column.TypeLength;
                Ensure(ref _offsets, count + 1);
                _data.Clear();
                if (encoding == Encoding.DeltaByteArray)
                {
                    DeltaByteArray.Decode(input, count, _offsets, _data);
                    break;
                }
                var span = _data.GetSpan(checked(count * width));
                DecodeFixedWidth(encoding, input, count, span[..(count * width)], width);
                _data.Advance(count * width);
                for (var i = 0; i <= count; i++)
                {
                    _offsets[i] = i * width;
                }
                break;
            default:
                throw new ParquetFormatException($"{Where}: unknown physical type {(int)_column.PhysicalType}");
        }
    }

    private bool _valuesFromDictionary;

    private void DecodeFixedWidth(Encoding encoding, ReadOnlySpan<byte> input, int count, Span<byte> output, int width)
    {
        switch (encoding)
        {
            case Encoding.Plain:
                PlainEncoding.DecodeFixed(input, width, count, output);
                break;
            case Encoding.ByteStreamSplit:
                ByteStreamSplit.Decode(input, width, count, output);
                break;
            case Encoding.DeltaBinaryPacked when width == 8 && _column.PhysicalType == PhysicalType.Int64:
                var longs = MemoryMarshal.Cast<byte, long>(output);
                if (DeltaBinaryPacked.ReadTotalCount(input) != count)
                {
                    throw new ParquetFormatException($"{Where}: DELTA_BINARY_PACKED page holds {DeltaBinaryPacked.ReadTotalCount(input)} values, {count} expected");
                }
                DeltaBinaryPacked.Decode(input, longs);
                break;
            case Encoding.DeltaBinaryPacked when width == 4 && _column.PhysicalType == PhysicalType.Int32:
                var ints = MemoryMarshal.Cast<byte, int>(output);
                if (DeltaBinaryPacked.ReadTotalCount(input) != count)
                {
                    throw new ParquetFormatException($"{Where}: DELTA_BINARY_PACKED page holds {DeltaBinaryPacked.ReadTotalCount(input)} values, {count} expected");
                }
                DeltaBinaryPacked.Decode(input, ints);
                break;
            default:
                throw Unsupported(encoding);
        }
    }

    private void RequirePlain(Encoding encoding)
    {
        if (encoding != Encoding.Plain)
        {
            throw Unsupported(encoding);
        }
    }

    private ParquetFormatException Unsupported(Encoding encoding) => new($"{Where}: encoding {encoding} is not valid for {_column.PhysicalType}");

    /// <summary>Appends the page's selected rows: nulls where the definition level is 0, values in order elsewhere.</summary>
    private void Emit(int rows, int nonNull, long firstRow, RowSelection selection)
    {
        var ranges = selection.Ranges;
        if (nonNull == rows)
        {
            // No nulls, so value i is row i: append each selected slice of the page in one go.
            foreach (var (start, end) in ranges)
            {
                var from = Math.Max(start, firstRow);
                var to = Math.Min(end, firstRow + rows);
                if (from < to)
                {
                    AppendSlice((int)(from - firstRow), (int)(to - from));
                }
            }
            return;
        }
        var value = 0;
        var r = 0;
        for (var i = 0; i < rows; i++)
        {
            var row = firstRow + i;
            while (r < ranges.Count && ranges[r].End <= row)
            {
                r++;
            }
            var present = _defLevels[i] == 1;
            if (r < ranges.Count && ranges[r].Start <= row)
            {
                if (present)
                {
                    AppendValue(value);
                }
                else
                {
                    _output.AppendNull();
                }
            }
            if (present)
            {
                value++;
            }
        }
    }

    /// <summary>Appends values [offset, offset + count) of the page, all non-null.</summary>
    private void AppendSlice(int offset, int count)
    {
        if (_valuesFromDictionary)
        {
            var indices = _ints.AsSpan(offset, count);
            if (_output.IsDictionary)
            {
                _output.AppendDictionaryIndices(MapDictionaryIndices(indices));
                return;
            }
            switch (_column.PhysicalType)
            {
                case PhysicalType.Int64 or PhysicalType.Int96:
                    Ensure(ref _gatheredLongs, count);
                    for (var i = 0; i < count; i++)
                    {
                        _gatheredLongs[i] = _dictLongs[indices[i]];
                    }
                    _output.AppendInt64Range(_gatheredLongs.AsSpan(0, count));
                    return;
                case PhysicalType.Double:
                    Ensure(ref _gatheredDoubles, count);
                    for (var i = 0; i < count; i++)
                    {
                        _gatheredDoubles[i] = _dictDoubles[indices[i]];
                    }
                    _output.AppendDoubleRange(_gatheredDoubles.AsSpan(0, count));
                    return;
            }
        }
        else
        {
            switch (_column.PhysicalType)
            {
                case PhysicalType.Int64 or PhysicalType.Int96:
                    _output.AppendInt64Range(_longs.AsSpan(offset, count));
                    return;
                case PhysicalType.Double:
                    _output.AppendDoubleRange(_doubles.AsSpan(offset, count));
                    return;
            }
        }
        for (var i = offset; i < offset + count; i++)
        {
            AppendValue(i);
        }
    }

    /// <summary>
    /// Parquet dictionary indices turned into the output dictionary's: each entry is added to the output the first
    /// time a selected row uses it (so the output dictionary holds only used values, in order of first use), and
    /// rows after that cost a lookup, not a hash of their bytes. The first few entries used are looked up in a short
    /// list; a map the dictionary's size is only set up once more are: a read of a few series uses one or two
    /// values of a dictionary of thousands, and renting and filling that map cost more than decoding their rows.
    /// </summary>
    private void ForgetDictionaryMap()
    {
        _fewCount = 0;
        _verdictsCleared = false;
        if (_dictMap is not null)
        {
            ArrayPool<int>.Shared.Return(_dictMap);
            _dictMap = null;
        }
    }

    private ReadOnlySpan<int> MapDictionaryIndices(ReadOnlySpan<int> indices)
    {
        Ensure(ref _mapped, indices.Length);
        var mapped = _mapped.AsSpan(0, indices.Length);
        for (var i = 0; i < indices.Length;)
        {
            // Sorted data repeats an index for a whole series: one lookup per run, its end found by a vectorised
            // search and its rows filled at memory speed.
            var index = indices[i];
            var other = indices[(i + 1)..].IndexOfAnyExcept(index);
            var end = other < 0 ? indices.Length : i + 1 + other;
            mapped[i..end].Fill(MapDictionaryIndex(index));
            i = end;
        }
        return mapped;
    }

    private int MapDictionaryIndex(int index)
    {
        if (_dictMap is null)
        {
            for (var k = 0; k < _fewCount; k++)
            {
                if (_fewIndices[k] == index)
                {
                    return _fewMapped[k];
                }
            }
            if (_fewCount < FewEntries)
            {
                var added = AddToOutputDictionary(index);
                _fewIndices[_fewCount] = index;
                _fewMapped[_fewCount++] = added;
                return added;
            }
            _dictMap = ArrayPool<int>.Shared.Rent(Math.Max(_dictionaryCount, 1));
            _dictMap.AsSpan(0, _dictionaryCount).Fill(-1);
            for (var k = 0; k < _fewCount; k++)
            {
                _dictMap[_fewIndices[k]] = _fewMapped[k];
            }
        }
        var mapped = _dictMap[index];
        return mapped >= 0 ? mapped : _dictMap[index] = AddToOutputDictionary(index);
    }

    private int AddToOutputDictionary(int index) =>
        _output.AddDictionaryValue(_dictData.AsSpan(_dictOffsets[index], _dictOffsets[index + 1] - _dictOffsets[index]));

    private const int FewEntries = 8;

    [InlineArray(FewEntries)]
    private struct FewInts
    {
        private int _element;
    }

    private FewInts _fewIndices;
    private FewInts _fewMapped;
    private int _fewCount;

    private void AppendValue(int i)
    {
        var d = _valuesFromDictionary;
        switch (_column.PhysicalType)
        {
            case PhysicalType.Int64 or PhysicalType.Int96:
                _output.AppendInt64(d ? _dictLongs[_ints[i]] : _longs[i]);
                break;
            case PhysicalType.Int32:
                _output.AppendInt32(d ? _dictInts[_ints[i]] : _ints[i]);
                break;
            case PhysicalType.Double:
                _output.AppendDouble(d ? _dictDoubles[_ints[i]] : _doubles[i]);
                break;
            case PhysicalType.Float:
                _output.AppendFloat(d ? _dictFloats[_ints[i]] : _floats[i]);
                break;
            case PhysicalType.Boolean:
                _output.AppendBoolean(BitUtil.GetBit(_bits, i));
                break;
            default:
                if (d && _output.IsDictionary)
                {
                    _output.AppendDictionaryIndices(MapDictionaryIndices(_ints.AsSpan(i, 1)));
                }
                else if (d)
                {
                    var index = _ints[i];
                    _output.AppendBytes(_dictData.AsSpan(_dictOffsets[index], _dictOffsets[index + 1] - _dictOffsets[index]));
                }
                else
                {
                    _output.AppendBytes(_data.WrittenSpan[_offsets[i].._offsets[i + 1]]);
                }
                break;
        }
    }

    /// <summary>
    /// A pooled array of at least <paramref name="length"/>. Scratch arrays come from the shared pool and go back when
    /// the chunk is decoded: a page's worth of values is often past the large-object threshold, and allocating those
    /// per column per query made the garbage collector run full collections. Not cleared: every scratch array is
    /// written before it is read (clearing a page buffer on every selective read cost as much as decoding it), except
    /// the boolean bits.
    /// </summary>
    private static void Ensure<T>(ref T[] array, int length, bool clear = false)
    {
        if (array.Length < length)
        {
            var bigger = ArrayPool<T>.Shared.Rent(Math.Max(length, array.Length * 2));
            if (clear)
            {
                Array.Clear(bigger);
            }
            Return(ref array);
            array = bigger;
        }
    }

    private static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }
        array = [];
    }
}
