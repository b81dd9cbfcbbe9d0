using System.Buffers.Binary;
using Tsdb.Arrow.Arrays;
using Tsdb.Parquet.Metadata;
using Tsdb.Parquet.Schema;

namespace Tsdb.Parquet.Writing;

/// <summary>
/// Writes Arrow record batches as a Parquet file: "PAR1", row groups of column chunks, the page index (all column
/// indexes, then all offset indexes), the Thrift footer, its length and "PAR1". Batches are buffered until a row
/// group is full. Works on non-seekable streams (positions are counted, never asked).
/// </summary>
public sealed class ParquetWriter : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly ParquetWriterOptions _options;
    private readonly Tsdb.Arrow.Types.Schema _schema;
    private readonly List<SchemaElement> _elements;
    private readonly List<ParquetColumn> _columns;
    private readonly List<RowGroup> _rowGroups = [];
    private readonly List<List<(ColumnIndex? Column, OffsetIndex Offset)>> _pageIndexes = [];
    private readonly List<RecordBatch> _pending = [];
    private readonly ColumnChunkWriter[] _chunkWriters;
    private long _pendingRows;
    private long _position;
    private bool _finished;
    private readonly List<KeyValuePair<string, string>> _lateMetadata = [];

    public ParquetWriter(Stream output, Tsdb.Arrow.Types.Schema schema, ParquetWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        _output = output;
        _leaveOpen = leaveOpen;
        _options = options ?? ParquetWriterOptions.Default;
        if (!PageCompressionCanWrite(_options.Compression))
        {
            throw new ArgumentException($"cannot write {_options.Compression} pages (ZSTD, SNAPPY, GZIP or UNCOMPRESSED)", nameof(options));
        }
        if (_options.DataPageVersion is not (1 or 2))
        {
            throw new ArgumentException("DataPageVersion is 1 or 2", nameof(options));
        }
        _schema = schema;
        (_elements, _columns) = SchemaMapping.FromArrow(schema);
        _chunkWriters = [.. _columns.Select(c => new ColumnChunkWriter(c, _options))];
        _output.Write(Magic);
        _position = Magic.Length;
    }

    private static bool PageCompressionCanWrite(CompressionCodec codec) => Compression.PageCompression.CanWrite(codec);

    /// <summary>
    /// Adds a key-value pair to the footer, for what is known only once every row is written (a streamed file's time
    /// range); it comes before the options' pairs.
    /// </summary>
    public void AddKeyValueMetadata(string key, string value)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _lateMetadata.Add(new(key, value));
    }

    /// <summary>Rows written so far (in finished row groups).</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Bytes written so far.</summary>
    public long Position => _position;

    public void WriteBatch(RecordBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_finished, this);
        if (!ReferenceEquals(batch.Schema, _schema) && !SameTypes(batch.Schema, _schema))
        {
            throw new ArgumentException("the batch's columns differ from the writer's schema", nameof(batch));
        }
        var offset = 0;
        while (offset < batch.Length)
        {
            var take = (int)Math.Min(batch.Length - offset, _options.RowGroupSize - _pendingRows);
            _pending.Add(offset == 0 && take == batch.Length ? batch : batch.Slice(offset, take));
            _pendingRows += take;
            offset += take;
            if (_pendingRows >= _options.RowGroupSize)
            {
                FlushRowGroup();
            }
        }
    }

    private static bool SameTypes(Tsdb.Arrow.Types.Schema a, Tsdb.Arrow.Types.Schema b)
    {
        if (a.FieldCount != b.FieldCount)
        {
            return false;
        }
        for (var i = 0; i < a.FieldCount; i++)
        {
            if (a[i].Name != b[i].Name || a[i].Type != b[i].Type)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Writes the buffered rows as a row group now (nothing when none are buffered).</summary>
    public void FlushRowGroup()
    {
        if (_pendingRows == 0)
        {
            return;
        }
        var rowGroupStart = _position;
        var chunks = new List<ColumnChunk>();
        var indexes = new List<(ColumnIndex?, OffsetIndex)>();
        long uncompressed = 0;
        for (var c = 0; c < _columns.Count; c++)
        {
            var segments = new ColumnSegments([.. _pending.Select(b => b.Column(c).Data)]);
            var result = _chunkWriters[c].Write(segments, _output, _position);
            _position += result.CompressedBytes;
            uncompressed += result.UncompressedBytes;
            chunks.Add(result.Chunk);
            indexes.Add((result.ColumnIndex, result.OffsetIndex));
        }
        _rowGroups.Add(new RowGroup
        {
            Columns = chunks,
            TotalByteSize = uncompressed,
            NumRows = _pendingRows,
            FileOffset = rowGroupStart,
            TotalCompressedSize = _position - rowGroupStart,
            Ordinal = (short)_rowGroups.Count,
            SortingColumns = _options.SortingColumns.Count == 0
                ? null
                : [.. _options.SortingColumns.Select(s => new SortingColumn { ColumnIdx = s.Column, Descending = s.Descending, NullsFirst = s.NullsFirst })],
        });
        _pageIndexes.Add(indexes);
        RowsWritten += _pendingRows;
        _pending.Clear();
        _pendingRows = 0;
    }

    /// <summary>Writes any buffered rows, the page index and the footer. The file is complete after this.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        FlushRowGroup();
        if (_options.WritePageIndex)
        {
            // PageIndex.md: all column indexes, then all offset indexes, between the row groups and the footer.
            for (var g = 0; g < _rowGroups.Count; g++)
            {
                for (var c = 0; c < _columns.Count; c++)
                {
                    if (_pageIndexes[g][c].Column is not { } columnIndex)
                    {
                        continue;   // none for this chunk (a page of only NaN)
                    }
                    var bytes = columnIndex.Serialize();
                    _rowGroups[g].Columns[c].ColumnIndexOffset = _position;
                    _rowGroups[g].Columns[c].ColumnIndexLength = bytes.Length;
                    Write(bytes);
                }
            }
            for (var g = 0; g < _rowGroups.Count; g++)
            {
                for (var c = 0; c < _columns.Count; c++)
                {
                    var bytes = _pageIndexes[g][c].Offset.Serialize();
                    _rowGroups[g].Columns[c].OffsetIndexOffset = _position;
                    _rowGroups[g].Columns[c].OffsetIndexLength = bytes.Length;
                    Write(bytes);
                }
            }
        }
        var metadata = new FileMetaData
        {
            Version = 2,
            Schema = _elements,
            NumRows = RowsWritten,
            RowGroups = _rowGroups,
            KeyValueMetadata = _options.KeyValueMetadata.Count + _lateMetadata.Count == 0 ? null : [.. _lateMetadata.Concat(_options.KeyValueMetadata).Select(kv => new KeyValue { Key = kv.Key, Value = kv.Value })],
            CreatedBy = _options.CreatedBy,
            ColumnOrders = [.. _columns.Select(_ => ColumnOrder.TypeDefined())],
        };
        var footer = metadata.Serialize();
        Write(footer);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, footer.Length);
        Write(length);
        Write(Magic);
        _output.Flush();
        _finished = true;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _position += bytes.Length;
    }

    public void Dispose()
    {
        foreach (var writer in _chunkWriters)
        {
            writer.Dispose();
        }
        if (!_leaveOpen)
        {
            _output.Dispose();
        }
    }

    /// <summary>Writes batches into one in-memory Parquet file.</summary>
    public static byte[] ToBytes(Tsdb.Arrow.Types.Schema schema, IEnumerable<RecordBatch> batches, ParquetWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        using var memory = new MemoryStream();
        using (var writer = new ParquetWriter(memory, schema, options, leaveOpen: true))
        {
            foreach (var batch in batches)
            {
                writer.WriteBatch(batch);
            }
            writer.Finish();
        }
        return memory.ToArray();
    }
}
