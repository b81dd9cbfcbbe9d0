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
        using var memory = new MemoryStream();
        Span<byte> scratch = stackalloc byte[4];
        memory.WriteByte(WriteKind);
        WriteName(memory, database);
        BinaryPrimitives.WriteUInt16LittleEndian(scratch, checked((ushort)tables.Count));
        memory.Write(scratch[..2]);
        foreach (var table in tables)
        {
            WriteName(memory, table.Table);
            var lengthAt = memory.Position;
            memory.Write(scratch); // placeholder for the stream length
            using (var writer = new ArrowStreamWriter(memory, table.Batch.Schema, leaveOpen: true))
            {
                writer.WriteBatch(table.Batch);
                writer.Finish();
            }
            var end = memory.Position;
            BinaryPrimitives.WriteUInt32LittleEndian(scratch, checked((uint)(end - lengthAt - 4)));
            memory.Position = lengthAt;
            memory.Write(scratch);
            memory.Position = end;
        }
        return memory.ToArray();
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

    private static void WriteName(Stream stream, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)bytes.Length));
        stream.Write(length);
        stream.Write(bytes);
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
