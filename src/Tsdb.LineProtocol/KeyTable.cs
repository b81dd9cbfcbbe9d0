using System.Buffers;

namespace Tsdb.LineProtocol;

/// <summary>
/// The keys of one line (tags and fields together: their escapes are the same), for lines with more keys than the
/// parser's 64-bit filter can tell apart. Past that, comparing each key with every earlier one would make a line of
/// n keys cost n² comparisons, which one hostile request could use to hold a core; a hash set keeps it linear.
/// <see cref="ParsedLine"/> keeps one and reuses it, so wide lines allocate only while it grows to the widest line.
/// Hashes are seeded per process (<see cref="HashCode"/>), so colliding keys cannot be prepared in advance.
/// </summary>
internal sealed class KeyTable
{
    private const int StackLimit = 256;

    // Tag i: i + 1; field i: -(i + 1). A slot is in use when its stamp is the current generation, so that starting a
    // line costs nothing however large an earlier line made the table.
    private int[] _entries = new int[128];
    private int[] _hashes = new int[128];
    private int[] _stamps = new int[128];
    private int _generation = 1;
    private int _count;

    public void Clear()
    {
        _count = 0;
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamps);
            _generation = 1;
        }
    }

    /// <summary>The entry whose key equals <paramref name="key"/>, or 0 after recording <paramref name="entry"/> for it.</summary>
    public int FindOrAdd(ReadOnlySpan<byte> input, ParsedLine line, TextRange key, int entry)
    {
        var hash = Hash(input, key);
        var mask = _entries.Length - 1;
        for (var i = hash & mask; _stamps[i] == _generation; i = (i + 1) & mask)
        {
            if (_hashes[i] == hash && LineProtocolText.RawEquals(input, KeyOf(line, _entries[i]), key, EscapeContext.TagKey))
            {
                return _entries[i];
            }
        }
        if ((_count + 1) * 2 > _entries.Length)
        {
            Grow();
        }
        Insert(entry, hash);
        return 0;
    }

    private static TextRange KeyOf(ParsedLine line, int entry) =>
        entry > 0 ? line.TagKeys[entry - 1] : line.Fields[-entry - 1].Key;

    private void Insert(int entry, int hash)
    {
        var mask = _entries.Length - 1;
        var i = hash & mask;
        while (_stamps[i] == _generation)
        {
            i = (i + 1) & mask;
        }
        _entries[i] = entry;
        _hashes[i] = hash;
        _stamps[i] = _generation;
        _count++;
    }

    private void Grow()
    {
        var entries = _entries;
        var hashes = _hashes;
        var stamps = _stamps;
        var generation = _generation;
        _entries = new int[entries.Length * 2];
        _hashes = new int[entries.Length * 2];
        _stamps = new int[entries.Length * 2];
        _generation = 1;
        _count = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            if (stamps[i] == generation)
            {
                Insert(entries[i], hashes[i]);
            }
        }
    }

    /// <summary>The hash of the key's unescaped bytes, so that <c>a\ b</c> and an equal spelling meet.</summary>
    private static int Hash(ReadOnlySpan<byte> input, TextRange key)
    {
        var raw = key.Slice(input);
        var hash = new HashCode();
        if (!key.HasEscapes)
        {
            hash.AddBytes(raw);
            return hash.ToHashCode() & int.MaxValue;
        }
        byte[]? rented = null;
        var buffer = raw.Length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            hash.AddBytes(buffer[..LineProtocolText.Unescape(raw, EscapeContext.TagKey, buffer)]);
            return hash.ToHashCode() & int.MaxValue;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
