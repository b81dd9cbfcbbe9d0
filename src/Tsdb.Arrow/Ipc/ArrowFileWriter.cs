using System.Buffers.Binary;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.FlatBuffers;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Ipc;

/// <summary>
/// Writes the IPC file format: "ARROW1" and padding, the stream (schema, dictionaries, batches, end marker),
/// a Footer flatbuffer listing every block, its int32 size and "ARROW1" again. Works on non-seekable streams.
/// </summary>
public sealed class ArrowFileWriter : IDisposable
{
    internal static ReadOnlySpan<byte> Magic => "ARROW1"u8;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly IpcEncoder _encoder;
    private readonly List<FileBlock> _dictionaryBlocks = [];
    private readonly List<FileBlock> _batchBlocks = [];
    private long _position;
    private bool _started;
    private bool _finished;

    public ArrowFileWriter(Stream stream, Schema schema, IpcWriteOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        // The file format applies dictionaries by footer order and cannot replace one.
        _encoder = new IpcEncoder(schema, options, allowDictionaryReplacement: false);
    }

    public Schema Schema => _encoder.Schema;

    public void WriteBatch(RecordBatch batch)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        Start();
        foreach (var message in _encoder.EncodeBatch(batch))
        {
            var offset = _position;
            var (metadataLength, bodyLength) = MessageFraming.Write(_stream, message);
            _position += metadataLength + bodyLength;
            (message.IsDictionaryBatch ? _dictionaryBlocks : _batchBlocks).Add(new FileBlock(offset, metadataLength, bodyLength));
        }
    }

    public void Finish()
    {
        if (_finished)
        {
            return;
        }
        Start();
        _stream.Write(MessageFraming.EndOfStream);
        var builder = new FlatBufferBuilder(1024);
        var footer = MetadataWriter.WriteFooter(builder, Schema, _encoder.DictionaryIds, _dictionaryBlocks, _batchBlocks);
        var bytes = builder.Finish(footer);
        _stream.Write(bytes);
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(size, bytes.Length);
        _stream.Write(size);
        _stream.Write(Magic);
        _stream.Flush();
        _finished = true;
    }

    private void Start()
    {
        if (_started)
        {
            return;
        }
        _stream.Write(Magic);
        _stream.Write([0, 0]);
        _position = 8;
        var (metadataLength, bodyLength) = MessageFraming.Write(_stream, _encoder.EncodeSchema());
        _position += metadataLength + bodyLength;
        _started = true;
    }

    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <summary>Serialises batches into one in-memory IPC file.</summary>
    public static byte[] ToBytes(Schema schema, IEnumerable<RecordBatch> batches, IpcWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(batches);
        using var memory = new MemoryStream();
        using (var writer = new ArrowFileWriter(memory, schema, options, leaveOpen: true))
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
