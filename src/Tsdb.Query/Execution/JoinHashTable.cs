using System.Numerics;

namespace Tsdb.Query.Execution;

/// <summary>
/// The build side's rows by key: an open-addressing table holds one slot per distinct key (its first row and the
/// row hash), and <see cref="Next"/> chains the further rows with that key in row order. A probe finds the chain's
/// head once and walks the chain, so a key with a million duplicates never slows the lookup of other keys.
/// Rows with a null key are left out: they never match.
/// </summary>
internal sealed class JoinHashTable
{
    private readonly JoinMemory _memory;
    private readonly int[] _next;
    private int[] _slots = [];          // head row + 1; 0 = empty
    private uint[] _slotHashes = [];   // the low half of the row hash: rejects most other keys without touching their rows

    public JoinHashTable(int rows, JoinMemory memory)
    {
        _memory = memory;
        memory.Grow(rows * 4L);
        _next = new int[rows];
    }

    public int DistinctKeys { get; private set; }

    /// <summary>For each build row, the next build row with the same key, or -1.</summary>
    public int[] Next => _next;

    public void Build(long[][] codes, ulong[] hashes, byte[]? rowValid, int rows)
    {
        // Sized for half the rows to be distinct keys (one doubling if all are); larger builds start at 2M slots and
        // double as distinct keys arrive, since many duplicates (a tag joined to a fact table) are common.
        Resize((int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, rows)), 1 << 21));
        // Rows go in back to front, each pushed onto its chain's front, so chains end up in row order.
        for (var row = rows - 1; row >= 0; row--)
        {
            if (!JoinColumns.IsValid(rowValid, row))
            {
                _next[row] = -1;
                continue;
            }
            var hash = hashes[row];
            var mask = _slots.Length - 1;
            var slot = (int)(hash & (ulong)mask);
            while (true)
            {
                var entry = _slots[slot];
                if (entry == 0)
                {
                    _next[row] = -1;
                    _slots[slot] = row + 1;
                    _slotHashes[slot] = (uint)hash;
                    if (++DistinctKeys * 2 > _slots.Length)
                    {
                        Resize(_slots.Length * 2);
                    }
                    break;
                }
                if (_slotHashes[slot] == (uint)hash && JoinKeys.SameSideEquals(codes, entry - 1, row))
                {
                    _next[row] = entry - 1;
                    _slots[slot] = row + 1;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
    }

    /// <summary>The first build row whose key equals probe row <paramref name="p"/>'s, or -1.</summary>
    public int Find(ulong hash, JoinKeys keys, long[][] probeCodes, int p, long[][] buildCodes)
    {
        var mask = _slots.Length - 1;
        var slot = (int)(hash & (ulong)mask);
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                return -1;
            }
            if (_slotHashes[slot] == (uint)hash && keys.RowEquals(probeCodes, p, buildCodes, entry - 1))
            {
                return entry - 1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void Resize(int size)
    {
        var before = _slots.Length * 8L;
        _memory.Grow(size * 8L);
        var slots = new int[size];
        var hashes = new uint[size];
        var mask = size - 1;
        for (var s = 0; s < _slots.Length; s++)
        {
            if (_slots[s] == 0)
            {
                continue;
            }
            var slot = (int)(_slotHashes[s] & (ulong)mask);
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            slots[slot] = _slots[s];
            hashes[slot] = _slotHashes[s];
        }
        _slots = slots;
        _slotHashes = hashes;
        _memory.Shrink(before);
    }
}
