using Tsdb.LineProtocol;

namespace Tsdb.Ingest;

/// <summary>Per table, the key each position of the last line held and the column slot it resolved to.</summary>
internal sealed class LineKeyCache
{
    private TextRange[] _keys = new TextRange[32];
    private int[] _slots = new int[32];
    private int _count;

    public bool TryGet(int position, out TextRange key, out int slot)
    {
        if (position < _count)
        {
            key = _keys[position];
            slot = _slots[position];
            return key.Length > 0;
        }
        key = default;
        slot = -1;
        return false;
    }

    public void Set(int position, TextRange key, int slot)
    {
        if (position >= _keys.Length)
        {
            Array.Resize(ref _keys, Math.Max(position + 1, _keys.Length * 2));
            Array.Resize(ref _slots, _keys.Length);
        }
        _keys[position] = key;
        _slots[position] = slot;
        _count = Math.Max(_count, position + 1);
    }
}
