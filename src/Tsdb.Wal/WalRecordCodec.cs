using System.Buffers.Binary;
using System.Text;
using Tsdb.Arrow;
using Tsdb.Arrow.Ipc;

namespace Tsdb.Wal;

/// <summary>
/// Payload of a WAL record: kind (1 = write), database name, then per table its name and an Arrow IPC stream
/// holding that table's batch. Names are u16-length-prefixed UTF-8; streams are u32-length-prefixed.
/// </summary>
internal static class WalRecordCodec
{
    private const byte WriteKind = 1;

    public static byte[] Encode(string database, IReadOnlyList<WalTableWrite> tables)
    {
        // Each table's stream is encoded first (its body still the batch's buffers), then laid out in the record.
        var streams = new ArrowStreamWriter.PreparedStream[tables.Count];
        var length = 1 + 2 + Encoding.UTF8.GetByteCount(database) + 2;
        for (var i = 0; i < tables.Count; i++)
        {
            streams[i] = ArrowStreamWriter.PrepareSingleBatch(tables[i].Batch);
            length += 2 + Encoding.UTF8.GetByteCount(tables[i].Table) + 4 + streams[i].Length;
        }
        var payload = GC.AllocateUninitializedArray<byte>(length);
        var span = payload.AsSpan();
        span[0] = WriteKind;
        var position = 1;
        WriteName(span, ref position, database);
        BinaryPrimitives.WriteUInt16LittleEndian(span[position..], checked((ushort)tables.Count));
        position += 2;
        for (var i = 0; i < tables.Count; i++)
        {
            WriteName(span, ref position, tables[i].Table);
            BinaryPrimitives.WriteUInt32LittleEndian(span[position..], (uint)streams[i].Length);
            position += 4;
            position += streams[i].WriteTo(span[position..]);
        }
        return payload;
    }

    private static void WriteName(Span<byte> span, ref int position, string name)
    {
        var written = Encoding.UTF8.GetBytes(name, span[(position + 2)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[position..], checked((ushort)written));
        position += 2 + written;
    }

    /// <summary>Decodes a payload; the batches point into <paramref name="payload"/> (zero-copy).</summary>
    public static WalRecord Decode(long sequence, ReadOnlyMemory<byte> payload)
    {
        var position = 0;
        var span = payload.Span;
        if (span.Length < 1 || span[0] != WriteKind)
        {
            throw new InvalidDataException($"unknown WAL record kind {(span.Length == 0 ? "(empty)" : span[0].ToString())}");
        }
        position = 1;
        var database = ReadName(span, ref position);
        var count = ReadUInt16(span, ref position);
        var tables = new WalTableWrite[count];
        for (var i = 0; i < count; i++)
        {
            var table = ReadName(span, ref position);
            if (span.Length - position < 4)
            {
                throw new InvalidDataException("WAL record ends inside a table entry");
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(span[position..]);
            position += 4;
            if (length > (uint)(span.Length - position))
            {
                throw new InvalidDataException("WAL record table stream runs past the record");
            }
            try
            {
                using var reader = new ArrowStreamReader(payload.Slice(position, (int)length));
                var batch = reader.ReadNextBatch() ?? throw new InvalidDataException($"WAL record for table '{table}' has no batch");
                tables[i] = new WalTableWrite(table, batch);
            }
            catch (ArrowFormatException e)
            {
                throw new InvalidDataException($"WAL record for table '{table}': {e.Message}", e);
            }
            position += (int)length;
        }
        return new WalRecord(sequence, database, tables);
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> span, ref int position)
    {
        if (span.Length - position < 2)
        {
            throw new InvalidDataException("WAL record is truncated");
        }
        var value = BinaryPrimitives.ReadUInt16LittleEndian(span[position..]);
        position += 2;
        return value;
    }

    private static string ReadName(ReadOnlySpan<byte> span, ref int position)
    {
        var length = ReadUInt16(span, ref position);
        if (span.Length - position < length)
        {
            throw new InvalidDataException("WAL record name runs past the record");
        }
        var name = Encoding.UTF8.GetString(span.Slice(position, length));
        position += length;
        return name;
    }
}
