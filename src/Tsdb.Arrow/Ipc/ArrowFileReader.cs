using System.Buffers.Binary;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.FlatBuffers;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Ipc;

/// <summary>
/// Reads the IPC file format with random access to record batches, from memory (zero-copy) or a seekable stream.
/// All dictionaries are loaded when the file is opened, in footer order (deltas applied in turn).
/// </summary>
public sealed class ArrowFileReader
{
    private readonly Func<long, int, ReadOnlyMemory<byte>> _read;
    private readonly long _length;
    private readonly IpcReadOptions _options;
    private readonly IpcDecoder _decoder;
    private readonly List<(long Offset, int MetadataLength, long BodyLength)> _batches = [];

    public ArrowFileReader(ReadOnlyMemory<byte> file, IpcReadOptions? options = null)
        : this(file.Length, (offset, length) => file.Slice((int)offset, length), options)
    {
    }

    public ArrowFileReader(Stream stream, IpcReadOptions? options = null)
        : this(RequireSeekable(stream).Length, (offset, length) => ReadAt(stream, offset, length), options)
    {
    }

    private ArrowFileReader(long length, Func<long, int, ReadOnlyMemory<byte>> read, IpcReadOptions? options)
    {
        _length = length;
        _read = read;
        _options = options ?? IpcReadOptions.Default;
        _decoder = new IpcDecoder(_options);
        Open();
    }

    public Schema Schema => _decoder.Schema!;

    public int RecordBatchCount => _batches.Count;

    public RecordBatch ReadRecordBatch(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_batches.Count, nameof(index));
        var (offset, metadataLength, bodyLength) = _batches[index];
        return ReadBlock(offset, metadataLength, bodyLength) ?? throw new ArrowFormatException($"record batch block {index} holds another kind of message");
    }

    public IEnumerable<RecordBatch> ReadAll()
    {
        for (var i = 0; i < _batches.Count; i++)
        {
            yield return ReadRecordBatch(i);
        }
    }

    private void Open()
    {
        var magic = ArrowFileWriter.Magic;
        if (_length < 8 + magic.Length + 4)
        {
            throw new ArrowFormatException($"not an Arrow file: {_length} bytes is too short");
        }
        if (!_read(0, magic.Length).Span.SequenceEqual(magic) || !_read(_length - magic.Length, magic.Length).Span.SequenceEqual(magic))
        {
            throw new ArrowFormatException("not an Arrow file: the ARROW1 magic is missing");
        }
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(_read(_length - magic.Length - 4, 4).Span);
        var footerEnd = _length - magic.Length - 4;
        if (footerLength <= 0 || footerLength > footerEnd - 8 || footerLength > _options.MaxMetadataLength)
        {
            throw new ArrowFormatException($"bad footer length {footerLength} in a file of {_length} bytes");
        }
        var footer = FlatBufferTable.Root(_read(footerEnd - footerLength, footerLength).ToArray());
        var schemaTable = footer.GetTable(1) ?? throw new ArrowFormatException("the file footer has no schema");
        var (schema, ids) = MetadataReader.ReadSchema(schemaTable);
        _decoder.SetSchema(schema, ids);
        var (dictStart, dictCount) = footer.GetVector(2, 24);
        for (var i = 0; i < dictCount; i++)
        {
            var block = ReadBlockEntry(footer, dictStart, i);
            if (ReadBlock(block.Offset, block.MetadataLength, block.BodyLength) is not null)
            {
                throw new ArrowFormatException($"dictionary block {i} holds a record batch");
            }
        }
        var (batchStart, batchCount) = footer.GetVector(3, 24);
        for (var i = 0; i < batchCount; i++)
        {
            _batches.Add(ReadBlockEntry(footer, batchStart, i));
        }
    }

    private static (long Offset, int MetadataLength, long BodyLength) ReadBlockEntry(FlatBufferTable footer, int start, int index)
    {
        var position = start + (index * 24);
        return (footer.ReadLongAt(position), footer.ReadIntAt(position + 8), footer.ReadLongAt(position + 16));
    }

    private RecordBatch? ReadBlock(long offset, int metadataLength, long bodyLength)
    {
        if (offset < 8 || metadataLength < 8 || bodyLength < 0 || bodyLength > _options.MaxBodyLength || metadataLength > _options.MaxMetadataLength
            || offset > _length || metadataLength > _length - offset || bodyLength > _length - offset - metadataLength)
        {
            throw new ArrowFormatException($"block at {offset} (+{metadataLength} metadata, +{bodyLength} body) lies outside the file");
        }
        var framed = _read(offset, metadataLength);
        var span = framed.Span;
        var prefix = 4;
        var length = BinaryPrimitives.ReadInt32LittleEndian(span);
        if (length == -1)
        {
            length = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
            prefix = 8;
        }
        if (length <= 0 || length > metadataLength - prefix)
        {
            throw new ArrowFormatException($"block at {offset}: message length {length} does not fit its {metadataLength}-byte metadata");
        }
        var body = _read(offset + metadataLength, (int)bodyLength);
        return _decoder.Decode(framed.Slice(prefix, length), body);
    }

    private static Stream RequireSeekable(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.CanSeek ? stream : throw new ArgumentException("the Arrow file reader needs a seekable stream", nameof(stream));
    }

    private static ReadOnlyMemory<byte> ReadAt(Stream stream, long offset, int length)
    {
        var buffer = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(buffer);
        return buffer;
    }
}
