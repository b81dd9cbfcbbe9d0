using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Types;
using Tsdb.Query.Functions;

namespace Tsdb.Query.Aggregation;

/// <summary>
/// count(DISTINCT x)'s accumulator for x's type. Equality is today's engine's (boxed values compared with Equals):
/// NaN equals NaN and -0.0 equals 0.0, so floats are normalised before hashing; strings compare by content, including
/// a tag's dictionary entries (each entry is decoded once per batch, not once per row).
/// </summary>
internal static class DistinctKeys
{
    public static bool Supports(ArrowType type) => type.Id switch
    {
        ArrowTypeId.Null or ArrowTypeId.Boolean or ArrowTypeId.Timestamp => true,
        ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8 or ArrowTypeId.Binary or ArrowTypeId.LargeBinary => true,
        ArrowTypeId.Dictionary => Columns.IsString(type),
        _ => Columns.IsNumeric(type),
    };

    public static IGroupsAccumulator Create(ArrowType type)
    {
        if (type.IsSignedInteger || type.Id is ArrowTypeId.Timestamp or ArrowTypeId.Boolean or ArrowTypeId.Null)
        {
            return new CountDistinctAccumulator<long>(Signed, _ => sizeof(long));
        }
        if (type.IsInteger)
        {
            return new CountDistinctAccumulator<ulong>(Unsigned, _ => sizeof(ulong));
        }
        if (type.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64)
        {
            return new CountDistinctAccumulator<double>(Floats, _ => sizeof(double));
        }
        if (Supports(type))
        {
            return new CountDistinctAccumulator<string>(Strings, s => 24 + (2L * s.Length));
        }
        throw new FunctionException($"count(DISTINCT …) of {type} is not supported", 0);
    }

    private static bool[]? Validity(ArrowArray input)
    {
        if (input.NullCount == 0)
        {
            return null;
        }
        var valid = new bool[input.Length];
        for (var i = 0; i < valid.Length; i++)
        {
            valid[i] = !input.IsNull(i);
        }
        return valid;
    }

    private static (long[], bool[]?) Signed(ArrowArray input)
    {
        if (input.Type.Id == ArrowTypeId.Boolean)
        {
            var booleans = (BooleanArray)input;
            var bits = new long[input.Length];
            for (var i = 0; i < bits.Length; i++)
            {
                bits[i] = booleans.GetValue(i) ? 1 : 0;
            }
            return (bits, Validity(input));
        }
        return (Columns.Int64Values(input), Validity(input));
    }

    private static (ulong[], bool[]?) Unsigned(ArrowArray input) => (NumericReader.UInt64Values(input), Validity(input));

    private static (double[], bool[]?) Floats(ArrowArray input)
    {
        var values = Columns.DoubleValues(input);
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] == 0)
            {
                values[i] = 0;   // -0.0 equals 0.0
            }
            else if (double.IsNaN(values[i]))
            {
                values[i] = double.NaN;   // one NaN payload
            }
        }
        return (values, Validity(input));
    }

    private static (string[], bool[]?) Strings(ArrowArray input)
    {
        string?[] strings;
        if (input.Type.Id is ArrowTypeId.Binary or ArrowTypeId.LargeBinary)
        {
            // Bytes by content (hex is a faithful key); boxed byte[]s would all differ.
            var binary = (VariableWidthArray)input;
            strings = new string?[input.Length];
            for (var i = 0; i < strings.Length; i++)
            {
                strings[i] = binary.IsNull(i) ? null : Convert.ToHexString(binary.GetBytes(i));
            }
        }
        else
        {
            strings = Columns.StringValues(input);
        }
        // A dictionary row may be valid but point at a NULL entry: the decoded string is the source of truth.
        var keys = new string[strings.Length];
        bool[]? valid = null;
        for (var i = 0; i < strings.Length; i++)
        {
            if (strings[i] is { } s)
            {
                keys[i] = s;
            }
            else
            {
                keys[i] = string.Empty;
                valid ??= CreateAllValid(strings.Length);
                valid[i] = false;
            }
        }
        return (keys, valid);
    }

    private static bool[] CreateAllValid(int length)
    {
        var valid = new bool[length];
        valid.AsSpan().Fill(true);
        return valid;
    }
}
