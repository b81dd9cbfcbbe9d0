using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;

namespace Tsdb.Query.Execution;

/// <summary>
/// One sort key column of one batch, widened once so that rows of <em>different</em> batches (runs of an
/// <see cref="ExternalSorter"/>, each with its own dictionaries) can be compared. The order is exactly that of
/// <c>Sorting.SortIndices</c>: integers and timestamps as signed 64-bit, unsigned as unsigned 64-bit, floats with
/// NaN above every number and -0.0 equal to 0.0, strings (plain or dictionary) by UTF-8 bytes, false before true,
/// and a dictionary row whose entry is null counts as null.
/// </summary>
internal sealed class MergeKeyColumn
{
    private readonly Kind _kind;
    private readonly bool[]? _valid;
    private readonly long[]? _signed;
    private readonly ulong[]? _unsigned;
    private readonly double[]? _floats;
    private readonly bool[]? _bools;
    private readonly VariableWidthArray? _strings;
    private readonly int[]? _indices;

    private enum Kind
    {
        Signed,
        Unsigned,
        Float,
        Boolean,
        Bytes,
    }

    private MergeKeyColumn(Kind kind, bool[]? valid, long[]? signed = null, ulong[]? unsigned = null, double[]? floats = null,
        bool[]? bools = null, VariableWidthArray? strings = null, int[]? indices = null)
    {
        _kind = kind;
        _valid = valid;
        _signed = signed;
        _unsigned = unsigned;
        _floats = floats;
        _bools = bools;
        _strings = strings;
        _indices = indices;
    }

    public static MergeKeyColumn Create(ArrowArray array)
    {
        var data = array.Data;
        var n = data.Length;
        var valid = Validity(data);
        switch (data.Type.Id)
        {
            case ArrowTypeId.Int8: return Signed(data.GetValues<sbyte>(), valid);
            case ArrowTypeId.Int16: return Signed(data.GetValues<short>(), valid);
            case ArrowTypeId.Int32: return Signed(data.GetValues<int>(), valid);
            case ArrowTypeId.Int64 or ArrowTypeId.Timestamp: return new MergeKeyColumn(Kind.Signed, valid, signed: data.GetValues<long>().ToArray());
            case ArrowTypeId.UInt8: return Unsigned(data.GetValues<byte>(), valid);
            case ArrowTypeId.UInt16: return Unsigned(data.GetValues<ushort>(), valid);
            case ArrowTypeId.UInt32: return Unsigned(data.GetValues<uint>(), valid);
            case ArrowTypeId.UInt64: return new MergeKeyColumn(Kind.Unsigned, valid, unsigned: data.GetValues<ulong>().ToArray());
            case ArrowTypeId.Float32:
            {
                var source = data.GetValues<float>();
                var values = new double[n];
                for (var i = 0; i < n; i++)
                {
                    values[i] = source[i];
                }
                return new MergeKeyColumn(Kind.Float, valid, floats: values);
            }
            case ArrowTypeId.Float64: return new MergeKeyColumn(Kind.Float, valid, floats: data.GetValues<double>().ToArray());
            case ArrowTypeId.Boolean:
            {
                var booleans = (BooleanArray)array;
                var values = new bool[n];
                for (var i = 0; i < n; i++)
                {
                    values[i] = booleans.GetValue(i);
                }
                return new MergeKeyColumn(Kind.Boolean, valid, bools: values);
            }
            case ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Binary or ArrowTypeId.LargeBinary:
                return new MergeKeyColumn(Kind.Bytes, valid, strings: (VariableWidthArray)array);
            case ArrowTypeId.Dictionary when data.Type.ValueType!.IsVariableWidth:
            {
                var dictionaryArray = (DictionaryArray)array;
                var entries = (VariableWidthArray)dictionaryArray.Dictionary;
                var indices = new int[n];
                for (var i = 0; i < n; i++)
                {
                    if (valid is not null && !valid[i])
                    {
                        continue;
                    }
                    var index = checked((int)dictionaryArray.GetIndex(i));
                    indices[i] = index;
                    if (entries.IsNull(index))
                    {
                        // Sorting ranks a null dictionary entry as a null row; so must the merge.
                        valid ??= AllValid(n);
                        valid[i] = false;
                    }
                }
                return new MergeKeyColumn(Kind.Bytes, valid, strings: entries, indices: indices);
            }
            default:
                throw new NotSupportedException($"cannot sort {data.Type}");
        }
    }

    /// <summary>Row <paramref name="rowA"/> of <paramref name="a"/> against row <paramref name="rowB"/> of
    /// <paramref name="b"/> (the same key of two batches).</summary>
    public static int Compare(MergeKeyColumn a, int rowA, MergeKeyColumn b, int rowB, bool descending, bool nullsFirst)
    {
        var validA = a._valid is null || a._valid[rowA];
        var validB = b._valid is null || b._valid[rowB];
        if (!validA || !validB)
        {
            if (validA == validB)
            {
                return 0;
            }
            return !validA == nullsFirst ? -1 : 1;
        }
        if (a._kind != b._kind)
        {
            throw new InvalidOperationException($"sort key compared as {a._kind} in one batch and {b._kind} in another");
        }
        var c = a._kind switch
        {
            Kind.Signed => a._signed![rowA].CompareTo(b._signed![rowB]),
            Kind.Unsigned => a._unsigned![rowA].CompareTo(b._unsigned![rowB]),
            Kind.Float => CompareDouble(a._floats![rowA], b._floats![rowB]),
            Kind.Boolean => a._bools![rowA].CompareTo(b._bools![rowB]),
            _ => a.Bytes(rowA).SequenceCompareTo(b.Bytes(rowB)),
        };
        return descending ? -c : c;
    }

    private ReadOnlySpan<byte> Bytes(int row) => _strings!.GetBytes(_indices is null ? row : _indices[row]);

    /// <summary>The total order of <c>NumericValues.CompareDouble</c> (which Sorting uses): NaN equals NaN and is
    /// above every number; -0.0 equals 0.0.</summary>
    private static int CompareDouble(double a, double b)
    {
        if (a < b)
        {
            return -1;
        }
        if (a > b)
        {
            return 1;
        }
        if (a == b)
        {
            return 0;
        }
        return double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : -1;
    }

    private static MergeKeyColumn Signed<T>(ReadOnlySpan<T> source, bool[]? valid) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var values = new long[source.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = long.CreateTruncating(source[i]);
        }
        return new MergeKeyColumn(Kind.Signed, valid, signed: values);
    }

    private static MergeKeyColumn Unsigned<T>(ReadOnlySpan<T> source, bool[]? valid) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var values = new ulong[source.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ulong.CreateTruncating(source[i]);
        }
        return new MergeKeyColumn(Kind.Unsigned, valid, unsigned: values);
    }

    private static bool[]? Validity(ArrayData data)
    {
        if (data.NullCount == 0 && data.Type.Id != ArrowTypeId.Null)
        {
            return null;
        }
        var valid = new bool[data.Length];
        for (var i = 0; i < valid.Length; i++)
        {
            valid[i] = !data.IsNull(i);
        }
        return valid;
    }

    private static bool[] AllValid(int length)
    {
        var valid = new bool[length];
        valid.AsSpan().Fill(true);
        return valid;
    }
}
