using System.Buffers;
using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Arrow.Builders;

/// <summary>
/// Builds <c>dictionary&lt;int32, utf8&gt;</c> arrays (tag columns): each distinct string is stored once and
/// rows hold int32 indices. Lookups hash the UTF-8 bytes in place, so appending a value already seen
/// allocates nothing.
/// </summary>
public sealed class DictionaryArrayBuilder : IDisposable
{
    private readonly GrowableBuffer _indices;
    private readonly ValidityBuilder _validity;
    private readonly GrowableBuffer _dictOffsets;
    private readonly GrowableBuffer _dictData;
    private int[] _slots = new int[16];      // open addressing: dictionary index + 1, 0 = empty
    private int[] _hashes = new int[16];     // hash of each dictionary entry, by index

    public DictionaryArrayBuilder(AlignedMemoryPool? pool = null)
    {
        pool ??= AlignedMemoryPool.Shared;
        _indices = new GrowableBuffer(pool);
        _validity = new ValidityBuilder(pool);
        _dictOffsets = new GrowableBuffer(pool);
        _dictData = new GrowableBuffer(pool);
        _dictOffsets.Append(0);
    }

    public static ArrowType Type => ArrowType.DictionaryUtf8;

    public int Length => _validity.Length;

    public int NullCount => _validity.NullCount;

    /// <summary>Distinct values so far.</summary>
    public int DictionaryCount { get; private set; }

    /// <summary>Appends a UTF-8 value; returns its dictionary index.</summary>
    public int Append(ReadOnlySpan<byte> utf8)
    {
        var index = FindOrAdd(utf8);
        _indices.Append(index);
        _validity.AppendValid();
        return index;
    }

    /// <summary>Appends one UTF-8 value <paramref name="count"/> times, looking it up once (a series' tags repeat on every sample); returns its dictionary index.</summary>
    public int AppendRepeated(ReadOnlySpan<byte> utf8, int count)
    {
        var index = FindOrAdd(utf8);
        for (var i = 0; i < count; i++)
        {
            _indices.Append(index);
            _validity.AppendValid();
        }
        return index;
    }

    /// <summary>
    /// Appends the value already at <paramref name="dictionaryIndex"/> (an index <see cref="Append(ReadOnlySpan{byte})"/>
    /// returned since the last build) <paramref name="count"/> times, without encoding or hashing it again.
    /// </summary>
    public void AppendIndexRepeated(int dictionaryIndex, int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)dictionaryIndex, (uint)DictionaryCount, nameof(dictionaryIndex));
        for (var i = 0; i < count; i++)
        {
            _indices.Append(dictionaryIndex);
            _validity.AppendValid();
        }
    }

    /// <summary>Appends one string <paramref name="count"/> times, encoding and looking it up once; returns its dictionary index.</summary>
    public int AppendRepeated(string value, int count)
    {
        ArgumentNullException.ThrowIfNull(value);
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var scratch = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var written = Encoding.UTF8.GetBytes(value, scratch);
            return AppendRepeated(scratch[..written], count);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public int Append(string? value)
    {
        if (value is null)
        {
            AppendNull();
            return -1;
        }
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var scratch = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var written = Encoding.UTF8.GetBytes(value, scratch);
            return Append(scratch[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Adds a value to the dictionary without appending a row; returns its index. With <see cref="AppendIndices"/>,
    /// a reader whose source is itself dictionary-encoded (a Parquet dictionary page) looks each entry up once
    /// instead of once per row.
    /// </summary>
    public int AddValue(ReadOnlySpan<byte> utf8) => FindOrAdd(utf8);

    /// <summary>Appends valid rows holding dictionary indices already returned by <see cref="AddValue"/> or <see cref="Append(ReadOnlySpan{byte})"/>.</summary>
    public void AppendIndices(ReadOnlySpan<int> indices)
    {
        var bad = DictionaryCount == 0 ? (indices.IsEmpty ? -1 : 0) : indices.IndexOfAnyExceptInRange(0, DictionaryCount - 1);
        if (bad >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(indices), $"dictionary index {indices[bad]} outside a dictionary of {DictionaryCount}");
        }
        _indices.Append(indices);
        _validity.AppendValid(indices.Length);
    }

    /// <summary>Room for <paramref name="additional"/> more rows without growing.</summary>
    public void Reserve(int additional) => _indices.EnsureCapacity((Length + additional) * 4);

    public void AppendNull()
    {
        _indices.Append(0);
        _validity.AppendNull();
    }

    /// <summary>The string at dictionary position <paramref name="dictionaryIndex"/>, as UTF-8.</summary>
    public ReadOnlySpan<byte> GetDictionaryValue(int dictionaryIndex)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)dictionaryIndex, (uint)DictionaryCount, nameof(dictionaryIndex));
        var start = _dictOffsets.Read<int>(dictionaryIndex * 4);
        var end = _dictOffsets.Read<int>((dictionaryIndex + 1) * 4);
        return _dictData.WrittenSpan[start..end];
    }

    private int FindOrAdd(ReadOnlySpan<byte> utf8)
    {
        var hash = Hash(utf8);
        var mask = _slots.Length - 1;
        var slot = hash & mask;
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                break;
            }
            var index = entry - 1;
            if (_hashes[index] == hash && GetDictionaryValue(index).SequenceEqual(utf8))
            {
                return index;
            }
            slot = (slot + 1) & mask;
        }
        var added = DictionaryCount;
        _dictData.Append(utf8);
        _dictOffsets.Append(_dictData.Length);
        if (added == _hashes.Length)
        {
            Array.Resize(ref _hashes, _hashes.Length * 2);
        }
        _hashes[added] = hash;
        _slots[slot] = added + 1;
        DictionaryCount = added + 1;
        if (DictionaryCount * 2 > _slots.Length)
        {
            Rehash(_slots.Length * 2);
        }
        return added;
    }

    private void Rehash(int size)
    {
        var slots = new int[size];
        var mask = size - 1;
        for (var i = 0; i < DictionaryCount; i++)
        {
            var slot = _hashes[i] & mask;
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = i + 1;
        }
        _slots = slots;
    }

    /// <summary>
    /// A fast multiply-xorshift hash over 8-byte words. The table is per builder (one batch), so its size is bounded by
    /// the batch and hash flooding can only slow that one batch down.
    /// </summary>
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 0x9E3779B97F4A7C15UL ^ (ulong)bytes.Length;
        var i = 0;
        for (; i + 8 <= bytes.Length; i += 8)
        {
            h = (h ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..])) * 0xFF51AFD7ED558CCDUL;
            h ^= h >> 32;
        }
        ulong tail = 0;
        for (var j = bytes.Length - 1; j >= i; j--)
        {
            tail = (tail << 8) | bytes[j];
        }
        h = (h ^ tail) * 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 29;
        return (int)(h & int.MaxValue);
    }

    /// <summary>Builds the array with every distinct value seen since the last build as its dictionary.</summary>
    public ArrayData BuildData()
    {
        var length = Length;
        var nullCount = NullCount;
        var dictCount = DictionaryCount;
        var (offsets, offsetsOwner) = _dictOffsets.Detach();
        var (data, dataOwner) = _dictData.Detach();
        var dictionary = new ArrayData(ArrowType.Utf8, dictCount, 0, [ReadOnlyMemory<byte>.Empty, offsets, data]);
        var (validity, validityOwner) = _validity.Detach();
        var (indices, indicesOwner) = _indices.Detach();
        ResetDictionary();
        return new ArrayData(Type, length, nullCount, [validity, indices], dictionary: dictionary,
            owner: BufferOwners.Of(validityOwner, indicesOwner, offsetsOwner, dataOwner));
    }

    public DictionaryArray Build() => new(BuildData());

    public void Clear()
    {
        _indices.Clear();
        _validity.Clear();
        _dictOffsets.Clear();
        _dictData.Clear();
        ResetDictionary();
    }

    private void ResetDictionary()
    {
        Array.Clear(_slots);
        DictionaryCount = 0;
        if (_dictOffsets.Length == 0)
        {
            _dictOffsets.Append(0);
        }
    }

    public void Dispose()
    {
        _indices.Release();
        _validity.Release();
        _dictOffsets.Release();
        _dictData.Release();
    }
}
