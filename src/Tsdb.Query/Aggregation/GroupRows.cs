using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Memory;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// FILTER (WHERE …) folded into the group ids: rows the filter drops get group -1, so every accumulator has one loop
/// that skips negative ids instead of a second mask to consult.
/// </summary>
internal static class GroupRows
{
    public static ReadOnlySpan<int> Apply(ReadOnlySpan<int> groupIds, BooleanArray? filter)
    {
        if (filter is null)
        {
            return groupIds;
        }
        if (filter.Length != groupIds.Length)
        {
            throw new ArgumentException($"the filter has {filter.Length} rows, the group ids {groupIds.Length}", nameof(filter));
        }
        var result = groupIds.ToArray();
        var data = filter.Data;
        var values = data.Buffers[1].Span;
        var validity = data.NullCount == 0 ? default : data.Validity;
        var offset = data.Offset;
        for (var i = 0; i < result.Length; i++)
        {
            if (!BitUtil.GetBit(values, offset + i) || (!validity.IsEmpty && !BitUtil.GetBit(validity, offset + i)))
            {
                result[i] = -1;
            }
        }
        return result;
    }

    /// <summary>Checks the argument arrays all have one row per group id (a planner bug otherwise, not a user error).</summary>
    public static void CheckLengths(IReadOnlyList<ArrowArray> arguments, int rows, int expected)
    {
        if (arguments.Count < expected)
        {
            throw new ArgumentException($"expected {expected} argument arrays, got {arguments.Count}", nameof(arguments));
        }
        for (var a = 0; a < expected; a++)
        {
            if (arguments[a].Length != rows)
            {
                throw new ArgumentException($"argument {a} has {arguments[a].Length} rows, the group ids {rows}", nameof(arguments));
            }
        }
    }

    /// <summary>The merge mapping's length must match the other accumulator's group count.</summary>
    public static void CheckMapping(ReadOnlySpan<int> mapping, int otherGroups, int groupCount)
    {
        if (mapping.Length < otherGroups)
        {
            throw new ArgumentException($"the mapping has {mapping.Length} entries for {otherGroups} groups", nameof(mapping));
        }
        for (var g = 0; g < otherGroups; g++)
        {
            if ((uint)mapping[g] >= (uint)groupCount)
            {
                throw new ArgumentOutOfRangeException(nameof(mapping), $"group {g} maps to {mapping[g]}, outside [0, {groupCount})");
            }
        }
    }

    /// <summary>Grows <paramref name="array"/> to at least <paramref name="count"/> entries (doubling, so growth is amortised).</summary>
    public static void Grow<T>(ref T[] array, int count)
    {
        if (array.Length < count)
        {
            Array.Resize(ref array, Math.Max(count, Math.Min(array.Length * 2, Array.MaxLength)));
        }
    }
}
