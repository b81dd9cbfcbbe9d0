using Tsdb.Arrow.Types;

namespace Tsdb.Query.Functions;

/// <summary>Type tests, type names for messages and the common type of variadic functions (coalesce, greatest).</summary>
internal static class FunctionTypes
{
    public static bool IsNull(ArrowType type) => type.Id == ArrowTypeId.Null;

    public static bool IsString(ArrowType type) => Columns.IsString(type);

    public static bool IsFloat(ArrowType type) => type.Id is ArrowTypeId.Float32 or ArrowTypeId.Float64;

    public static bool IsNumeric(ArrowType type) => type.IsInteger || IsFloat(type);

    public static bool IsTimestamp(ArrowType type) => type.Id == ArrowTypeId.Timestamp;

    public static bool Fits(ArgKind kind, ArrowType type) => type.Id switch
    {
        ArrowTypeId.Null => true,
        _ when type.IsInteger => (kind & ArgKind.Integer) != 0,
        ArrowTypeId.Float32 or ArrowTypeId.Float64 => (kind & ArgKind.Float) != 0,
        ArrowTypeId.Timestamp => (kind & ArgKind.Timestamp) != 0,
        ArrowTypeId.Boolean => (kind & ArgKind.Boolean) != 0,
        _ when IsString(type) => (kind & ArgKind.String) != 0,
        _ => false,
    };

    /// <summary>"a number", "a string or a timestamp", … for signature errors.</summary>
    public static string Describe(ArgKind kind)
    {
        var parts = new List<string>();
        if ((kind & ArgKind.Number) == ArgKind.Number)
        {
            parts.Add("a number");
        }
        else if ((kind & ArgKind.Integer) != 0)
        {
            parts.Add("an integer");
        }
        else if ((kind & ArgKind.Float) != 0)
        {
            parts.Add("a float");
        }
        if ((kind & ArgKind.String) != 0)
        {
            parts.Add("a string");
        }
        if ((kind & ArgKind.Timestamp) != 0)
        {
            parts.Add("a timestamp");
        }
        if ((kind & ArgKind.Boolean) != 0)
        {
            parts.Add("a boolean");
        }
        return parts.Count switch
        {
            0 => "nothing",
            1 => parts[0],
            _ => string.Join(", ", parts.GetRange(0, parts.Count - 1)) + " or " + parts[^1],
        };
    }

    /// <summary>As messages name a type: tags and strings are both "string" (users never see the encoding).</summary>
    public static string Name(ArrowType type) => IsString(type) ? "string" : type.ToString();

    /// <summary>
    /// The type of abs/round/floor/ceil/trunc results: integers stay integers (unsigned 64-bit stays unsigned, the
    /// narrower ones widen to int64), floats become float64.
    /// </summary>
    public static ArrowType IntegerPreserving(ArrowType type) =>
        IsFloat(type) ? ArrowType.Float64 : type.Id == ArrowTypeId.UInt64 ? ArrowType.UInt64 : ArrowType.Int64;

    /// <summary>
    /// One type for all of <paramref name="types"/> (NULLs ignored): strings, float64 when any number is a float,
    /// uint64 when all are unsigned 64-bit, int64 for other integers, timestamps (strings among them are read as
    /// RFC 3339), or booleans. Null when every argument is NULL.
    /// </summary>
    public static ArrowType CommonType(string function, IReadOnlyList<ArrowType> types)
    {
        ArrowType? first = null;
        var firstIndex = -1;
        bool anyString = false, anyFloat = false, anyTimestamp = false, allUnsigned64 = true, anyInteger = false, anyBoolean = false;
        for (var i = 0; i < types.Count; i++)
        {
            var t = types[i];
            if (IsNull(t))
            {
                continue;
            }
            if (first is null)
            {
                first = t;
                firstIndex = i;
            }
            var numeric = IsNumeric(t);
            var compatible = IsString(t) ? !anyInteger && !anyFloat && !anyBoolean
                : numeric ? !anyString && !anyTimestamp && !anyBoolean
                : IsTimestamp(t) ? !anyInteger && !anyFloat && !anyBoolean
                : t.Id == ArrowTypeId.Boolean ? !anyString && !anyInteger && !anyFloat && !anyTimestamp
                : false;
            if (!compatible)
            {
                throw new FunctionException($"{function} cannot mix {Name(first)} (argument {firstIndex + 1}) with {Name(t)} (argument {i + 1})", i);
            }
            anyString |= IsString(t);
            anyFloat |= IsFloat(t);
            anyTimestamp |= IsTimestamp(t);
            anyBoolean |= t.Id == ArrowTypeId.Boolean;
            anyInteger |= t.IsInteger;
            allUnsigned64 &= t.Id == ArrowTypeId.UInt64;
        }
        if (first is null)
        {
            return ArrowType.Null;
        }
        return anyTimestamp ? ArrowType.TimestampNanosecond
            : anyString ? ArrowType.Utf8
            : anyFloat ? ArrowType.Float64
            : anyBoolean ? ArrowType.Boolean
            : allUnsigned64 ? ArrowType.UInt64
            : ArrowType.Int64;
    }
}
