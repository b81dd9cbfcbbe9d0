using System.Buffers.Binary;
using System.Text;
using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// Group values of strings or bytes, kept as UTF-8 byte arrays (copied when a group takes a row, so no batch is held).
/// Rows may come from a plain or a dictionary-encoded array (a tag): a dictionary row reads its entry's bytes, and is
/// NULL when its index or its entry is. Strings order by UTF-8 bytes (code point order, as sorting does) or, for
/// min/max, by UTF-16 code units as today's string.CompareOrdinal does; the two differ only between U+E000–U+FFFF and
/// characters past U+FFFF.
/// </summary>
internal sealed class BytesGroupValues : GroupValues
{
    private readonly ArrowType _type;
    private readonly bool _utf16Order;
    private byte[]?[] _values = [];
    private long _bytes;
    private VariableWidthArray? _plain;
    private DictionaryArray? _dictionary;
    private VariableWidthArray? _entries;
    private int[] _bestEntry = [];
    private readonly List<int> _touched = [];

    public BytesGroupValues(ArrowType type, bool utf16Order)
    {
        _type = type;
        _utf16Order = utf16Order;
    }

    public override ArrowType OutputType => _type;

    public override long MemoryBytes => ((long)_values.Length * 12) + _bytes;

    public override void Resize(int groups) => GroupRows.Grow(ref _values, groups);

    public override void Load(ArrowArray batch)
    {
        switch (batch)
        {
            case VariableWidthArray plain:
                _plain = plain;
                _dictionary = null;
                _entries = null;
                break;
            case DictionaryArray { Dictionary: VariableWidthArray entries } dictionary:
                _plain = null;
                _dictionary = dictionary;
                _entries = entries;
                break;
            default:
                throw new ArgumentException($"expected strings, got {batch.Type}", nameof(batch));
        }
    }

    public override bool RowIsNull(int row)
    {
        if (_plain is not null)
        {
            return _plain.IsNull(row);
        }
        return _dictionary!.IsNull(row) || _entries!.IsNull(checked((int)_dictionary.GetIndex(row)));
    }

    public override bool IsNull(int group) => _values[group] is null;

    public override int CompareRow(int row, int group) => Compare(Row(row), _values[group]);

    public override void SetRow(int group, int row) => Set(group, RowIsNull(row) ? null : Row(row).ToArray());

    public override int CompareGroup(int group, GroupValues other, int otherGroup) =>
        Compare(_values[group], ((BytesGroupValues)other)._values[otherGroup]);

    public override void SetGroup(int group, GroupValues other, int otherGroup) => Set(group, ((BytesGroupValues)other)._values[otherGroup]);

    /// <summary>The buffers are laid out directly: the shared builder takes only 32-bit offsets, and large_utf8/large_binary need 64.</summary>
    public override ArrowArray Build(int groups)
    {
        var large = _type.HasLargeOffsets;
        long total = 0;
        for (var g = 0; g < groups; g++)
        {
            total += _values[g]?.Length ?? 0;
        }
        if (!large && total > int.MaxValue)
        {
            throw new InvalidOperationException($"{groups} group values need {total} bytes, more than {_type} offsets address");
        }
        var data = new byte[total];
        var offsets = new byte[(groups + 1) * (large ? sizeof(long) : sizeof(int))];
        var validity = new byte[BitUtil.BytesFor(groups)];
        var nulls = 0;
        var position = 0L;
        for (var g = 0; g < groups; g++)
        {
            if (_values[g] is { } value)
            {
                value.CopyTo(data.AsSpan((int)position));
                position += value.Length;
                BitUtil.SetBit(validity, g);
            }
            else
            {
                nulls++;
            }
            if (large)
            {
                BinaryPrimitives.WriteInt64LittleEndian(offsets.AsSpan((g + 1) * sizeof(long)), position);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(offsets.AsSpan((g + 1) * sizeof(int)), (int)position);
            }
        }
        return ArrowArray.Create(new ArrayData(_type, groups, nulls, [nulls == 0 ? ReadOnlyMemory<byte>.Empty : validity, offsets, data]));
    }

    /// <summary>
    /// min/max over a tag: the dictionary's entries are ranked once per batch, each row then costs an integer
    /// comparison, and only each group's best entry of the batch is compared with (and copied into) the group's value.
    /// </summary>
    public override void MinMax(ArrowArray batch, ReadOnlySpan<int> ids, bool max)
    {
        if (batch is not DictionaryArray { Dictionary: VariableWidthArray entries } dictionary || dictionary.Type.IndexType!.Id != ArrowTypeId.Int32)
        {
            base.MinMax(batch, ids, max);
            return;
        }
        var ranks = Ranks(entries);
        var indices = dictionary.Int32Indices;
        var validity = dictionary.NullCount == 0 ? default : dictionary.Data.Validity;
        var offset = dictionary.Data.Offset;
        GroupRows.Grow(ref _bestEntry, _values.Length);
        var best = _bestEntry;
        _touched.Clear();
        for (var i = 0; i < ids.Length; i++)
        {
            var g = ids[i];
            if (g < 0 || (!validity.IsEmpty && !BitUtil.GetBit(validity, offset + i)))
            {
                continue;
            }
            var entry = indices[i];
            var rank = ranks[entry];
            if (rank < 0)
            {
                continue;   // a NULL dictionary entry
            }
            ref var b = ref best[g];
            if (b == 0)
            {
                _touched.Add(g);
                b = entry + 1;   // 0 means "no row yet", so entries are stored one up
            }
            else if (max ? rank > ranks[b - 1] : rank < ranks[b - 1])
            {
                b = entry + 1;
            }
        }
        foreach (var g in _touched)
        {
            var bytes = entries.GetBytes(best[g] - 1);
            best[g] = 0;
            if (_values[g] is null || (max ? Compare(bytes, _values[g]) > 0 : Compare(bytes, _values[g]) < 0))
            {
                Set(g, bytes.ToArray());
            }
        }
    }

    /// <summary>Each dictionary entry's rank in this instance's string order (equal entries share one), -1 for NULL entries.</summary>
    private int[] Ranks(VariableWidthArray entries)
    {
        var order = new int[entries.Length];
        var valid = 0;
        for (var e = 0; e < entries.Length; e++)
        {
            if (!entries.IsNull(e))
            {
                order[valid++] = e;
            }
        }
        Array.Sort(order, 0, valid, Comparer<int>.Create((a, b) => Compare(entries.GetBytes(a), entries.GetBytes(b))));
        var ranks = new int[entries.Length];
        ranks.AsSpan().Fill(-1);
        var rank = 0;
        for (var i = 0; i < valid; i++)
        {
            if (i > 0 && Compare(entries.GetBytes(order[i - 1]), entries.GetBytes(order[i])) != 0)
            {
                rank++;
            }
            ranks[order[i]] = rank;
        }
        return ranks;
    }

    private ReadOnlySpan<byte> Row(int row) =>
        _plain is not null ? _plain.GetBytes(row) : _entries!.GetBytes(checked((int)_dictionary!.GetIndex(row)));

    private void Set(int group, byte[]? value)
    {
        _bytes += (value is null ? 0 : value.Length + 24) - (_values[group] is { } old ? old.Length + 24 : 0);
        _values[group] = value;   // never mutated after this, so sharing another accumulator's array is safe
    }

    private int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var common = a.CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length.CompareTo(b.Length);
        }
        if (_utf16Order && a[common] >= 0x80 && b[common] >= 0x80)
        {
            // Both differ inside a multi-byte character: UTF-16 may order it differently from the bytes (surrogates
            // sort below U+E000), so compare as today's engine did, on the decoded strings.
            return Math.Sign(string.CompareOrdinal(Encoding.UTF8.GetString(a), Encoding.UTF8.GetString(b)));
        }
        return a[common].CompareTo(b[common]);
    }
}
