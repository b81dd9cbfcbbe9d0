using System.Buffers.Binary;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Arrays;

/// <summary>Dictionary-encoded values: integer indices into <see cref="Dictionary"/>.</summary>
public sealed class DictionaryArray : ArrowArray
{
    public DictionaryArray(ArrayData data) : base(data)
    {
        Dictionary = Create(data.Dictionary!);
    }

    public ArrowArray Dictionary { get; }

    /// <summary>The index stored at <paramref name="index"/> (undefined under a null slot).</summary>
    public long GetIndex(int index)
    {
        if ((uint)index >= (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }
        return ReadIndex(Data.Buffers[1].Span, Type.IndexType!.Id, Data.Offset + index);
    }

    internal static long ReadIndex(ReadOnlySpan<byte> bytes, ArrowTypeId indexType, int i) => indexType switch
    {
        ArrowTypeId.Int8 => (sbyte)bytes[i],
        ArrowTypeId.UInt8 => bytes[i],
        ArrowTypeId.Int16 => BinaryPrimitives.ReadInt16LittleEndian(bytes[(i * 2)..]),
        ArrowTypeId.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]),
        ArrowTypeId.Int32 => BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]),
        ArrowTypeId.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]),
        ArrowTypeId.Int64 => BinaryPrimitives.ReadInt64LittleEndian(bytes[(i * 8)..]),
        _ => unchecked((long)BinaryPrimitives.ReadUInt64LittleEndian(bytes[(i * 8)..])),
    };

    /// <summary>Int32 indices (the common case), starting at element 0.</summary>
    public ReadOnlySpan<int> Int32Indices => Type.IndexType!.Id == ArrowTypeId.Int32
        ? Data.GetValues<int>()
        : throw new InvalidOperationException($"index type is {Type.IndexType}");

    /// <summary>The decoded value at <paramref name="index"/>, boxed, or null.</summary>
    public override object? GetObject(int index) => IsNull(index) ? null : Dictionary.GetObject(checked((int)GetIndex(index)));
}
