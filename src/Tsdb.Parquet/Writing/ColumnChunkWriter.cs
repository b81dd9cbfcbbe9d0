using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;
using Tsdb.Parquet.Compression;
using Tsdb.Parquet.Encodings;
using Tsdb.Parquet.IO;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Schema;

namespace Tsdb.Parquet.Writing;

/// <summary>
/// Writes one column chunk: an optional dictionary page, then data pages of at most
/// <see cref="ParquetWriterOptions.PageRowLimit"/> rows, each with its statistics, and returns the chunk's metadata
/// and its page-index entries. Encodings are chosen per chunk for size (see <see cref="ChooseEncoding"/>); a string
/// column is dictionary-encoded up to the page where its dictionary grows too big, PLAIN from there.
/// </summary>
internal sealed class ColumnChunkWriter : IDisposable
{
    private readonly ParquetColumn _column;
    private readonly ParquetWriterOptions _options;
    private readonly ByteBuffer _levels = new();
    private readonly ByteBuffer _values = new();
    private readonly ByteBuffer _page = new();
    private readonly ByteBuffer _compressed = new();
    private readonly ByteBuffer _header = new(256);
    private readonly ByteBuffer _trial = new();
    private int[] _defLevels = [];
    private long[] _longs = [];
    private int[] _ints = [];
    private double[] _doubles = [];
    private float[] _floats = [];
    private int[] _offsets = [];
    private readonly ByteBuffer _bytes = new();

    public ColumnChunkWriter(ParquetColumn column, ParquetWriterOptions options)
    {
        _column = column;
        _options = options;
    }

    public sealed record Result(ColumnChunk Chunk, ColumnIndex? ColumnIndex, OffsetIndex OffsetIndex, long CompressedBytes, long UncompressedBytes);

    private enum ValueKind
    {
        Null,
        Boolean,
        Int32,
        Int64,
        Float,
        Double,
        ByteArray,
    }

    private ValueKind Kind => _column.ArrowType.Id switch
    {
        ArrowTypeId.Null => ValueKind.Null,
        ArrowTypeId.Boolean => ValueKind.Boolean,
        ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32 => ValueKind.Int32,
        ArrowTypeId.Int64 or ArrowTypeId.UInt64 or ArrowTypeId.Timestamp => ValueKind.Int64,
        ArrowTypeId.Float32 => ValueKind.Float,
        ArrowTypeId.Float64 => ValueKind.Double,
        _ => ValueKind.ByteArray,
    };

    /// <summary>String columns, whose truncated bounds must stay whole characters (binary ones are cut anywhere).</summary>
    private bool IsUtf8 => (_column.ArrowType.Id == ArrowTypeId.Dictionary ? _column.ArrowType.ValueType!.Id : _column.ArrowType.Id) is ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8;

    public Result Write(ColumnSegments segments, Stream output, long position)
    {
        var start = position;
        var rows = segments.RowCount;
        var kind = Kind;
        var codec = _options.Compression;
        var encodings = new SortedSet<Encoding>();
        var encodingStats = new List<PageEncodingStats>();
        var chunkStats = new PageStatistics();
        var locations = new List<PageLocation>();
        var columnIndex = new ColumnIndex { NullPages = [], MinValues = [], MaxValues = [], NullCounts = [], BoundaryOrder = BoundaryOrder.Unordered };
        long uncompressedTotal = 0;
        long? dictionaryOffset = null;

        // Dictionary for byte-array columns: every distinct value once, rows as indices into it, for the pages
        // before the one that took the dictionary past its size limit; that page and those after it are PLAIN
        // (parquet-mr's and arrow-rs's fallback), so a column whose values stop repeating keeps its early pages small.
        var pageRows = PageRows(segments, kind);
        DictionaryArrayBuilder? dictionary = null;
        int[]? dictionaryIndices = null;
        var dictionaryCount = 0;
        var fallbackRow = rows;
        if (kind == ValueKind.ByteArray && _options.DictionaryEnabled)
        {
            dictionaryIndices = ArrayPool<int>.Shared.Rent(Math.Max(1, checked((int)rows)));
            dictionary = new DictionaryArrayBuilder();
            (dictionaryCount, fallbackRow) = BuildDictionary(segments, pageRows, dictionary, dictionaryIndices);
            if (fallbackRow == 0 && rows > 0)
            {
                // The first page alone passes the limit: a plain chunk, no dictionary page.
                dictionary.Dispose();
                dictionary = null;
            }
        }
        if (dictionary is not null)
        {
            dictionaryOffset = position;
            _values.Clear();
            for (var i = 0; i < dictionaryCount; i++)
            {
                var value = dictionary.GetDictionaryValue(i);
                _values.AppendInt32(value.Length);
                _values.Append(value);
            }
            var header = new PageHeader
            {
                Type = PageType.DictionaryPage,
                UncompressedPageSize = _values.Length,
                DictionaryPageHeader = new DictionaryPageHeader { NumValues = dictionaryCount, Encoding = Encoding.Plain },
            };
            _compressed.Clear();
            PageCompression.Compress(codec, _values.WrittenSpan, _compressed, _options.ZstdLevel);
            header.CompressedPageSize = _compressed.Length;
            position += WritePage(output, header, _compressed.WrittenSpan);
            uncompressedTotal += _header.Length + _values.Length;
            encodings.Add(Encoding.Plain);
            encodingStats.Add(new PageEncodingStats { PageType = PageType.DictionaryPage, Encoding = Encoding.Plain, Count = 1 });
        }

        // The encoding of pages that are not dictionary-encoded (all of them without a dictionary, those from the
        // fallback on with one).
        var valueEncoding = ChooseEncoding(kind);
        var dataPageType = _options.DataPageVersion == 2 ? PageType.DataPageV2 : PageType.DataPage;
        var dictionaryPages = 0;
        var otherPages = 0;
        long dataPageOffset = position;
        var firstDataPage = true;
        var pageCount = 0;
        for (long pageStart = 0; pageStart < rows || (rows == 0 && pageCount == 0); pageStart += pageRows)
        {
            var count = (int)Math.Min(pageRows, rows - pageStart);
            var pageStats = new PageStatistics();
            var dictionaryPage = dictionary is not null && (pageStart < fallbackRow || rows == 0);
            var nonNull = Gather(segments, pageStart, count, kind, dictionaryPage ? dictionaryIndices : null);
            pageStats.NullCount = count - nonNull;

            // Encode the values; for floats the first page decides between PLAIN and BYTE_STREAM_SPLIT.
            _values.Clear();
            if (firstDataPage && valueEncoding == Encoding.Plain && kind is ValueKind.Double or ValueKind.Float && _options.ByteStreamSplitForFloats && codec != CompressionCodec.Uncompressed && nonNull > 0)
            {
                valueEncoding = ByteStreamSplitWins(kind, nonNull) ? Encoding.ByteStreamSplit : Encoding.Plain;
            }
            var pageEncoding = dictionaryPage ? Encoding.RleDictionary : valueEncoding;
            EncodeValues(kind, pageEncoding, nonNull, dictionaryPage ? dictionary : null, dictionaryCount, pageStats);

            // Definition levels (bit width 1) for optional columns; required columns have none.
            _levels.Clear();
            if (_column.IsOptional)
            {
                RleBitPackedHybrid.Encode(_defLevels.AsSpan(0, count), 1, _levels);
            }

            var header = new PageHeader();
            _page.Clear();
            _compressed.Clear();
            if (_options.DataPageVersion == 2)
            {
                // V2: levels stay uncompressed in front of the compressed values.
                _page.Append(_levels.WrittenSpan);
                _page.Append(_values.WrittenSpan);
                _compressed.Append(_levels.WrittenSpan);
                PageCompression.Compress(codec, _values.WrittenSpan, _compressed, _options.ZstdLevel);
                header.Type = PageType.DataPageV2;
                header.DataPageHeaderV2 = new DataPageHeaderV2
                {
                    NumValues = count,
                    NumNulls = count - nonNull,
                    NumRows = count,
                    Encoding = pageEncoding,
                    DefinitionLevelsByteLength = _levels.Length,
                    RepetitionLevelsByteLength = 0,
                    IsCompressed = codec != CompressionCodec.Uncompressed,
                    Statistics = pageStats.ToThrift(kind == ValueKind.ByteArray, IsUtf8, _options.StatisticsTruncateLength),
                };
            }
            else
            {
                // V1: levels carry a 4-byte length prefix; the whole page is compressed together.
                if (_column.IsOptional)
                {
                    _page.AppendInt32(_levels.Length);
                    _page.Append(_levels.WrittenSpan);
                }
                _page.Append(_values.WrittenSpan);
                PageCompression.Compress(codec, _page.WrittenSpan, _compressed, _options.ZstdLevel);
                header.Type = PageType.DataPage;
                header.DataPageHeader = new DataPageHeader
                {
                    NumValues = count,
                    Encoding = pageEncoding,
                    DefinitionLevelEncoding = Encoding.Rle,
                    RepetitionLevelEncoding = Encoding.Rle,
                    Statistics = pageStats.ToThrift(kind == ValueKind.ByteArray, IsUtf8, _options.StatisticsTruncateLength),
                };
            }
            header.UncompressedPageSize = _page.Length;
            header.CompressedPageSize = _compressed.Length;
            if (firstDataPage)
            {
                dataPageOffset = position;
                firstDataPage = false;
            }
            var written = WritePage(output, header, _compressed.WrittenSpan);
            locations.Add(new PageLocation { Offset = position, CompressedPageSize = (int)written, FirstRowIndex = pageStart });
            position += written;
            uncompressedTotal += _header.Length + _page.Length;

            var pageThrift = pageStats.ToThrift(kind == ValueKind.ByteArray, IsUtf8, _options.StatisticsTruncateLength);
            columnIndex.NullPages.Add(nonNull == 0);
            columnIndex.MinValues.Add(nonNull == 0 || pageThrift.MinValue is null ? [] : pageThrift.MinValue);
            columnIndex.MaxValues.Add(nonNull == 0 || pageThrift.MaxValue is null ? [] : pageThrift.MaxValue);
            columnIndex.NullCounts!.Add(count - nonNull);
            chunkStats.Merge(pageStats);
            encodings.Add(pageEncoding);
            if (dictionaryPage)
            {
                dictionaryPages++;
            }
            else
            {
                otherPages++;
            }
            pageCount++;
            if (rows == 0)
            {
                break;
            }
        }
        if (_column.IsOptional || _options.DataPageVersion == 1)
        {
            encodings.Add(Encoding.Rle);
        }
        if (dictionaryPages > 0)
        {
            encodingStats.Add(new PageEncodingStats { PageType = dataPageType, Encoding = Encoding.RleDictionary, Count = dictionaryPages });
        }
        if (otherPages > 0)
        {
            encodingStats.Add(new PageEncodingStats { PageType = dataPageType, Encoding = valueEncoding, Count = otherPages });
        }
        // A page whose values are all NaN has no bounds (NaN never is one): as parquet-mr does, such a column chunk
        // gets no column index rather than one a reader would take an empty bound from.
        var nanOnlyPage = false;
        for (var p = 0; p < columnIndex.NullPages.Count; p++)
        {
            nanOnlyPage |= !columnIndex.NullPages[p] && (columnIndex.MinValues[p].Length == 0 || columnIndex.MaxValues[p].Length == 0);
        }
        columnIndex.BoundaryOrder = nanOnlyPage ? BoundaryOrder.Unordered : BoundaryOrderOf(columnIndex, kind);
        dictionary?.Dispose();
        if (dictionaryIndices is not null)
        {
            ArrayPool<int>.Shared.Return(dictionaryIndices);
        }

        var metadata = new ColumnMetaData
        {
            Type = _column.PhysicalType,
            Encodings = [.. encodings],
            PathInSchema = [_column.Name],
            Codec = codec,
            NumValues = rows,
            TotalUncompressedSize = uncompressedTotal,
            TotalCompressedSize = position - start,
            DataPageOffset = dataPageOffset,
            DictionaryPageOffset = dictionaryOffset,
            Statistics = chunkStats.ToThrift(kind == ValueKind.ByteArray, IsUtf8, _options.StatisticsTruncateLength),
            EncodingStats = encodingStats,
        };
        var chunk = new ColumnChunk { FileOffset = dictionaryOffset ?? dataPageOffset, MetaData = metadata };
        return new Result(chunk, nanOnlyPage ? null : columnIndex, new OffsetIndex { PageLocations = locations }, position - start, uncompressedTotal);
    }

    private long WritePage(Stream output, PageHeader header, ReadOnlySpan<byte> body)
    {
        if (_options.PageChecksums)
        {
            // The spec's CRC: standard CRC-32 over the page exactly as stored (after compression; for v2 pages the
            // uncompressed levels in front included), the header excluded.
            header.Crc = unchecked((int)Crc32.HashToUInt32(body));
        }
        _header.Clear();
        header.WriteTo(_header);
        output.Write(_header.WrittenSpan);
        output.Write(body);
        return _header.Length + body.Length;
    }

    private Encoding ChooseEncoding(ValueKind kind) => kind switch
    {
        ValueKind.Int32 or ValueKind.Int64 when _options.DeltaForIntegers => Encoding.DeltaBinaryPacked,
        _ => Encoding.Plain,
    };

    /// <summary>Rows per page: the row limit, fewer when rows are wide enough to pass the byte limit.</summary>
    private int PageRows(ColumnSegments segments, ValueKind kind)
    {
        var bytesPerRow = kind switch
        {
            ValueKind.Boolean or ValueKind.Null => 1L,
            ValueKind.Int32 or ValueKind.Float => 4L,
            ValueKind.Int64 or ValueKind.Double => 8L,
            _ => Math.Max(1, ByteArrayBytes(segments) / Math.Max(1, segments.RowCount)),
        };
        return (int)Math.Clamp(_options.PageSizeLimit / bytesPerRow, 1, _options.PageRowLimit);
    }

    private static long ByteArrayBytes(ColumnSegments segments)
    {
        long total = 0;
        foreach (var segment in segments.Segments)
        {
            if (segment.Type.Id == ArrowTypeId.Dictionary)
            {
                total += (long)segment.Length * 4;
                continue;
            }
            var array = (VariableWidthArray)ArrowArray.Create(segment);
            total += segment.Length == 0 ? 0 : array.GetOffset(segment.Length) - array.GetOffset(0);
        }
        return total;
    }

    /// <summary>
    /// Adds the column's values to <paramref name="builder"/> page by page (pages of <paramref name="pageRows"/>
    /// rows), each row's index going to <paramref name="indices"/>, until a page takes the dictionary past
    /// <see cref="ParquetWriterOptions.DictionaryPageSizeLimit"/>. Returns how many entries the dictionary page holds
    /// (those the pages before that one use) and the first row to write PLAIN (the row count when none).
    /// </summary>
    private (int Count, long FallbackRow) BuildDictionary(ColumnSegments segments, int pageRows, DictionaryArrayBuilder builder, int[] indices)
    {
        var rows = segments.RowCount;
        long dictionaryBytes = 0;
        long row = 0;
        long pageStart = 0;
        var pageEnd = Math.Min(pageRows, rows);
        var countBeforePage = 0;
        int[] map = [];
        foreach (var segment in segments.Segments)
        {
            VariableWidthArray? batchDictionary = null;
            DictionaryArray? batchIndices = null;
            VariableWidthArray? values = null;
            if (segment.Type.Id == ArrowTypeId.Dictionary)
            {
                // A batch's dictionary value is added on its first use (not all up front), so the dictionary holds
                // only what the pages written with it need, in the order they need it.
                batchDictionary = (VariableWidthArray)ArrowArray.Create(segment.Dictionary!);
                batchIndices = new DictionaryArray(segment);
                if (map.Length < batchDictionary.Length)
                {
                    map = new int[batchDictionary.Length];
                }
                map.AsSpan(0, batchDictionary.Length).Fill(-1);
            }
            else
            {
                values = (VariableWidthArray)ArrowArray.Create(segment);
            }
            for (var i = 0; i < segment.Length; i++)
            {
                if (segment.IsNull(i))
                {
                    indices[row] = 0;
                }
                else
                {
                    int index;
                    if (batchDictionary is not null)
                    {
                        var d = (int)batchIndices!.GetIndex(i);
                        if (map[d] < 0)
                        {
                            map[d] = Add(batchDictionary.GetBytes(d));
                        }
                        index = map[d];
                    }
                    else
                    {
                        index = Add(values!.GetBytes(i));
                    }
                    indices[row] = index;
                }
                if (++row == pageEnd)
                {
                    if (dictionaryBytes > _options.DictionaryPageSizeLimit)
                    {
                        return (countBeforePage, pageStart);
                    }
                    countBeforePage = builder.DictionaryCount;
                    pageStart = pageEnd;
                    pageEnd = Math.Min(pageEnd + pageRows, rows);
                }
            }
        }
        return (builder.DictionaryCount, rows);

        int Add(ReadOnlySpan<byte> value)
        {
            var before = builder.DictionaryCount;
            var index = builder.AddValue(value);
            if (builder.DictionaryCount > before)
            {
                dictionaryBytes += 4 + value.Length;
            }
            return index;
        }
    }

    /// <summary>Fills the definition levels and the non-null values of rows [start, start + count); returns the non-null count.</summary>
    private int Gather(ColumnSegments segments, long start, int count, ValueKind kind, int[]? dictionaryIndices)
    {
        EnsureCapacity(ref _defLevels, count);
        var defLevels = _defLevels;
        var nonNull = 0;
        switch (kind)
        {
            case ValueKind.Null:
                Array.Clear(defLevels, 0, count);
                return 0;
            case ValueKind.Int64:
                EnsureCapacity(ref _longs, count);
                segments.ForEach(start, count, (data, from, n, at) => nonNull += GatherInt64(data, from, n, defLevels.AsSpan(at), _longs.AsSpan(nonNull)));
                return nonNull;
            case ValueKind.Int32:
                EnsureCapacity(ref _ints, count);
                segments.ForEach(start, count, (data, from, n, at) => nonNull += GatherInt32(data, from, n, defLevels.AsSpan(at), _ints.AsSpan(nonNull)));
                return nonNull;
            case ValueKind.Double:
                EnsureCapacity(ref _doubles, count);
                segments.ForEach(start, count, (data, from, n, at) => nonNull += GatherFixed(data, from, n, defLevels.AsSpan(at), _doubles.AsSpan(nonNull)));
                return nonNull;
            case ValueKind.Float:
                EnsureCapacity(ref _floats, count);
                segments.ForEach(start, count, (data, from, n, at) => nonNull += GatherFixed(data, from, n, defLevels.AsSpan(at), _floats.AsSpan(nonNull)));
                return nonNull;
            case ValueKind.Boolean:
                EnsureCapacity(ref _ints, count);
                segments.ForEach(start, count, (data, from, n, at) =>
                {
                    var bits = data.Buffers[1].Span;
                    for (var i = 0; i < n; i++)
                    {
                        var valid = !data.IsNull(from + i);
                        defLevels[at + i] = valid ? 1 : 0;
                        if (valid)
                        {
                            _ints[nonNull++] = BitUtil.GetBit(bits, data.Offset + from + i) ? 1 : 0;
                        }
                    }
                });
                return nonNull;
            default:
                if (dictionaryIndices is not null)
                {
                    EnsureCapacity(ref _ints, count);
                    segments.ForEach(start, count, (data, from, n, at) =>
                    {
                        for (var i = 0; i < n; i++)
                        {
                            var valid = !data.IsNull(from + i);
                            defLevels[at + i] = valid ? 1 : 0;
                            if (valid)
                            {
                                _ints[nonNull++] = dictionaryIndices[start + at + i];
                            }
                        }
                    });
                    return nonNull;
                }
                EnsureCapacity(ref _offsets, count + 1);
                _bytes.Clear();
                _offsets[0] = 0;
                segments.ForEach(start, count, (data, from, n, at) =>
                {
                    var dictionaryValues = data.Type.Id == ArrowTypeId.Dictionary ? (VariableWidthArray)ArrowArray.Create(data.Dictionary!) : null;
                    var dictionaryArray = dictionaryValues is null ? null : new DictionaryArray(data);
                    var values = dictionaryValues is null ? (VariableWidthArray)ArrowArray.Create(data) : null;
                    for (var i = 0; i < n; i++)
                    {
                        var valid = !data.IsNull(from + i);
                        defLevels[at + i] = valid ? 1 : 0;
                        if (valid)
                        {
                            _bytes.Append(values is not null ? values.GetBytes(from + i) : dictionaryValues!.GetBytes((int)dictionaryArray!.GetIndex(from + i)));
                            _offsets[++nonNull] = _bytes.Length;
                        }
                    }
                });
                return nonNull;
        }
    }

    private static int GatherInt64(ArrayData data, int from, int n, Span<int> defLevels, Span<long> output)
    {
        var values = data.GetValues<long>();
        var scale = data.Type.Id == ArrowTypeId.Timestamp && data.Type.Unit == TimeUnit.Second ? 1000L : 1L;
        var written = 0;
        for (var i = 0; i < n; i++)
        {
            var valid = !data.IsNull(from + i);
            defLevels[i] = valid ? 1 : 0;
            if (valid)
            {
                // UInt64 is stored as its bit pattern; seconds become milliseconds (Parquet has no seconds unit).
                output[written++] = checked(values[from + i] * scale);
            }
        }
        return written;
    }

    private static int GatherInt32(ArrayData data, int from, int n, Span<int> defLevels, Span<int> output)
    {
        var written = 0;
        var bytes = data.Buffers[1].Span;
        var width = data.Type.BitWidth / 8;
        for (var i = 0; i < n; i++)
        {
            var valid = !data.IsNull(from + i);
            defLevels[i] = valid ? 1 : 0;
            if (!valid)
            {
                continue;
            }
            var at = (data.Offset + from + i) * width;
            output[written++] = data.Type.Id switch
            {
                ArrowTypeId.Int8 => (sbyte)bytes[at],
                ArrowTypeId.UInt8 => bytes[at],
                ArrowTypeId.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes[at..]),
                ArrowTypeId.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]),
                _ => BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]),
            };
        }
        return written;
    }

    private static int GatherFixed<T>(ArrayData data, int from, int n, Span<int> defLevels, Span<T> output) where T : unmanaged
    {
        var values = data.GetValues<T>();
        if (data.NullCount == 0)
        {
            defLevels[..n].Fill(1);
            values.Slice(from, n).CopyTo(output);
            return n;
        }
        var written = 0;
        for (var i = 0; i < n; i++)
        {
            var valid = !data.IsNull(from + i);
            defLevels[i] = valid ? 1 : 0;
            if (valid)
            {
                output[written++] = values[from + i];
            }
        }
        return written;
    }

    private void EncodeValues(ValueKind kind, Encoding encoding, int count, DictionaryArrayBuilder? dictionary, int dictionaryCount, PageStatistics stats)
    {
        var unsigned = _column.UnsignedOrder;
        switch (kind)
        {
            case ValueKind.Null:
                return;
            case ValueKind.Int64:
                var longs = _longs.AsSpan(0, count);
                stats.AddInt64(longs, unsigned);
                if (encoding == Encoding.DeltaBinaryPacked)
                {
                    DeltaBinaryPacked.Encode(longs, _values);
                }
                else
                {
                    _values.Append(MemoryMarshal.AsBytes(longs));
                }
                return;
            case ValueKind.Int32:
                var ints = _ints.AsSpan(0, count);
                stats.AddInt32(ints, unsigned);
                if (encoding == Encoding.DeltaBinaryPacked)
                {
                    DeltaBinaryPacked.Encode(ints, _values);
                }
                else
                {
                    _values.Append(MemoryMarshal.AsBytes(ints));
                }
                return;
            case ValueKind.Double:
                var doubles = _doubles.AsSpan(0, count);
                stats.AddDouble(doubles);
                AppendFloating(MemoryMarshal.AsBytes(doubles), 8, encoding);
                return;
            case ValueKind.Float:
                var floats = _floats.AsSpan(0, count);
                stats.AddFloat(floats);
                AppendFloating(MemoryMarshal.AsBytes(floats), 4, encoding);
                return;
            case ValueKind.Boolean:
                var bits = _values.GetSpan(BitUtil.BytesFor(count));
                bits[..BitUtil.BytesFor(count)].Clear();
                bool sawFalse = false, sawTrue = false;
                for (var i = 0; i < count; i++)
                {
                    if (_ints[i] != 0)
                    {
                        BitUtil.SetBit(bits, i);
                        sawTrue = true;
                    }
                    else
                    {
                        sawFalse = true;
                    }
                }
                _values.Advance(BitUtil.BytesFor(count));
                stats.AddBooleans(sawFalse, sawTrue);
                return;
            default:
                if (dictionary is not null)
                {
                    var indices = _ints.AsSpan(0, count);
                    var bitWidth = RleBitPackedHybrid.MaxBitWidth(Math.Max(0, dictionaryCount - 1));
                    _values.AppendByte((byte)bitWidth);
                    RleBitPackedHybrid.Encode(indices, bitWidth, _values);
                    AddByteArrayBounds(stats, count, i => dictionary.GetDictionaryValue(_ints[i]));
                    return;
                }
                for (var i = 0; i < count; i++)
                {
                    var value = _bytes.WrittenSpan[_offsets[i].._offsets[i + 1]];
                    _values.AppendInt32(value.Length);
                    _values.Append(value);
                }
                AddByteArrayBounds(stats, count, i => _bytes.WrittenSpan[_offsets[i].._offsets[i + 1]]);
                return;
        }
    }

    private delegate ReadOnlySpan<byte> ValueAt(int index);

    private static void AddByteArrayBounds(PageStatistics stats, int count, ValueAt valueAt)
    {
        if (count == 0)
        {
            return;
        }
        int min = 0, max = 0;
        for (var i = 1; i < count; i++)
        {
            var value = valueAt(i);
            if (value.SequenceCompareTo(valueAt(min)) < 0)
            {
                min = i;
            }
            if (value.SequenceCompareTo(valueAt(max)) > 0)
            {
                max = i;
            }
        }
        stats.AddBytes(valueAt(min), valueAt(max));
    }

    private void AppendFloating(ReadOnlySpan<byte> plain, int width, Encoding encoding)
    {
        if (encoding == Encoding.ByteStreamSplit)
        {
            var span = _values.GetSpan(plain.Length);
            ByteStreamSplit.Encode(plain, width, span);
            _values.Advance(plain.Length);
        }
        else
        {
            _values.Append(plain);
        }
    }

    /// <summary>Compresses the first page both ways and keeps BYTE_STREAM_SPLIT if it comes out smaller.</summary>
    private bool ByteStreamSplitWins(ValueKind kind, int count)
    {
        var plain = kind == ValueKind.Double ? MemoryMarshal.AsBytes(_doubles.AsSpan(0, count)) : MemoryMarshal.AsBytes(_floats.AsSpan(0, count));
        var width = kind == ValueKind.Double ? 8 : 4;
        _trial.Clear();
        PageCompression.Compress(_options.Compression, plain, _trial, _options.ZstdLevel);
        var plainSize = _trial.Length;
        var split = new byte[plain.Length];
        ByteStreamSplit.Encode(plain, width, split);
        _trial.Clear();
        PageCompression.Compress(_options.Compression, split, _trial, _options.ZstdLevel);
        return _trial.Length < plainSize;
    }

    private BoundaryOrder BoundaryOrderOf(ColumnIndex index, ValueKind kind)
    {
        var pages = new List<int>();
        for (var i = 0; i < index.NullPages.Count; i++)
        {
            if (!index.NullPages[i])
            {
                pages.Add(i);
            }
        }
        if (pages.Count < 2)
        {
            return BoundaryOrder.Ascending;
        }
        bool ascending = true, descending = true;
        for (var p = 1; p < pages.Count; p++)
        {
            var previous = pages[p - 1];
            var current = pages[p];
            var minOrder = Compare(index.MinValues[current], index.MinValues[previous], kind);
            var maxOrder = Compare(index.MaxValues[current], index.MaxValues[previous], kind);
            ascending &= minOrder >= 0 && maxOrder >= 0;
            descending &= minOrder <= 0 && maxOrder <= 0;
        }
        return ascending ? BoundaryOrder.Ascending : descending ? BoundaryOrder.Descending : BoundaryOrder.Unordered;
    }

    private int Compare(byte[] a, byte[] b, ValueKind kind) => kind switch
    {
        ValueKind.Int64 when _column.UnsignedOrder => BinaryPrimitives.ReadUInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt64LittleEndian(b)),
        ValueKind.Int64 => BinaryPrimitives.ReadInt64LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt64LittleEndian(b)),
        ValueKind.Int32 when _column.UnsignedOrder => BinaryPrimitives.ReadUInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadUInt32LittleEndian(b)),
        ValueKind.Int32 => BinaryPrimitives.ReadInt32LittleEndian(a).CompareTo(BinaryPrimitives.ReadInt32LittleEndian(b)),
        ValueKind.Double => BitConverter.ToDouble(a).CompareTo(BitConverter.ToDouble(b)),
        ValueKind.Float => BitConverter.ToSingle(a).CompareTo(BitConverter.ToSingle(b)),
        _ => a.AsSpan().SequenceCompareTo(b),
    };

    private static void EnsureCapacity<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[Math.Max(length, array.Length * 2)];
        }
    }

    public void Dispose()
    {
        _levels.Dispose();
        _values.Dispose();
        _page.Dispose();
        _compressed.Dispose();
        _header.Dispose();
        _trial.Dispose();
        _bytes.Dispose();
    }
}
