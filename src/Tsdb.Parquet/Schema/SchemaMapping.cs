using Tsdb.Arrow.Types;
using Tsdb.Parquet.Metadata;

namespace Tsdb.Parquet.Schema;

/// <summary>Arrow schema ↔ Parquet schema elements, for flat schemas.</summary>
internal static class SchemaMapping
{
    /// <summary>Parquet schema (root first) for an Arrow schema, plus the per-column mapping.</summary>
    public static (List<SchemaElement> Elements, List<ParquetColumn> Columns) FromArrow(Tsdb.Arrow.Types.Schema schema)
    {
        var elements = new List<SchemaElement> { new() { Name = "schema", NumChildren = schema.FieldCount } };
        var columns = new List<ParquetColumn>();
        for (var i = 0; i < schema.FieldCount; i++)
        {
            var field = schema[i];
            var element = new SchemaElement
            {
                Name = field.Name,
                RepetitionType = field.IsNullable ? FieldRepetitionType.Optional : FieldRepetitionType.Required,
            };
            var type = field.Type.Id == ArrowTypeId.Dictionary ? field.Type.ValueType! : field.Type;
            switch (type.Id)
            {
                case ArrowTypeId.Boolean:
                    element.Type = PhysicalType.Boolean;
                    break;
                case ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32:
                    element.Type = PhysicalType.Int32;
                    element.LogicalType = LogicalType.Integer((sbyte)type.BitWidth, type.IsSignedInteger);
                    element.ConvertedType = IntegerConvertedType(type);
                    break;
                case ArrowTypeId.Int32:
                    element.Type = PhysicalType.Int32;
                    break;
                case ArrowTypeId.Int64:
                    element.Type = PhysicalType.Int64;
                    break;
                case ArrowTypeId.UInt64:
                    element.Type = PhysicalType.Int64;
                    element.LogicalType = LogicalType.Integer(64, false);
                    element.ConvertedType = ConvertedType.Uint64;
                    break;
                case ArrowTypeId.Float32:
                    element.Type = PhysicalType.Float;
                    break;
                case ArrowTypeId.Float64:
                    element.Type = PhysicalType.Double;
                    break;
                case ArrowTypeId.Utf8 or ArrowTypeId.LargeUtf8:
                    element.Type = PhysicalType.ByteArray;
                    element.LogicalType = LogicalType.String();
                    element.ConvertedType = ConvertedType.Utf8;
                    break;
                case ArrowTypeId.Binary or ArrowTypeId.LargeBinary:
                    element.Type = PhysicalType.ByteArray;
                    break;
                case ArrowTypeId.Timestamp:
                    element.Type = PhysicalType.Int64;
                    var utc = type.TimeZone is not null;
                    var unit = type.Unit switch
                    {
                        TimeUnit.Nanosecond => TimeUnitKind.Nanos,
                        TimeUnit.Microsecond => TimeUnitKind.Micros,
                        _ => TimeUnitKind.Millis, // seconds are written as milliseconds
                    };
                    element.LogicalType = LogicalType.Timestamp(utc, unit);
                    // The legacy converted types mean "adjusted to UTC", so only a UTC timestamp may carry one.
                    if (utc && unit != TimeUnitKind.Nanos)
                    {
                        element.ConvertedType = unit == TimeUnitKind.Millis ? ConvertedType.TimestampMillis : ConvertedType.TimestampMicros;
                    }
                    break;
                case ArrowTypeId.Null:
                    element.Type = PhysicalType.Int32;
                    element.LogicalType = LogicalType.Unknown();
                    element.RepetitionType = FieldRepetitionType.Optional;
                    break;
                default:
                    throw new NotSupportedException($"column '{field.Name}': {field.Type} cannot be written to Parquet");
            }
            elements.Add(element);
            columns.Add(new ParquetColumn(i, field.Name, element.Type!.Value, 0, element.RepetitionType == FieldRepetitionType.Optional, field.Type, false));
        }
        return (elements, columns);
    }

    private static ConvertedType IntegerConvertedType(ArrowType type) => type.Id switch
    {
        ArrowTypeId.Int8 => ConvertedType.Int8,
        ArrowTypeId.Int16 => ConvertedType.Int16,
        ArrowTypeId.UInt8 => ConvertedType.Uint8,
        ArrowTypeId.UInt16 => ConvertedType.Uint16,
        _ => ConvertedType.Uint32,
    };

    /// <summary>The Arrow schema and column mapping of a file's schema elements.</summary>
    public static (Tsdb.Arrow.Types.Schema Schema, List<ParquetColumn> Columns) ToArrow(IReadOnlyList<SchemaElement> elements, IReadOnlyList<KeyValuePair<string, string>>? metadata, IReadOnlySet<string>? dictionaryColumns = null)
    {
        if (elements.Count == 0)
        {
            throw new ParquetFormatException("the file's schema is empty");
        }
        var root = elements[0];
        var childCount = root.NumChildren ?? 0;
        if (childCount != elements.Count - 1)
        {
            throw new ParquetFormatException($"nested Parquet schemas are not supported (root declares {childCount} children, the schema has {elements.Count - 1} more elements)");
        }
        var fields = new List<Field>();
        var columns = new List<ParquetColumn>();
        for (var i = 1; i < elements.Count; i++)
        {
            var element = elements[i];
            if (element.NumChildren is > 0 || element.Type is null)
            {
                throw new ParquetFormatException($"column '{element.Name}': nested (group) columns are not supported");
            }
            if (element.RepetitionType == FieldRepetitionType.Repeated)
            {
                throw new ParquetFormatException($"column '{element.Name}': repeated columns are not supported");
            }
            var physical = element.Type.Value;
            var (arrowType, isInt96) = ArrowTypeOf(element, physical);
            if (arrowType.Id == ArrowTypeId.Utf8 && dictionaryColumns?.Contains(element.Name) == true)
            {
                arrowType = ArrowType.DictionaryUtf8;
            }
            var optional = element.RepetitionType != FieldRepetitionType.Required;
            if (physical == PhysicalType.FixedLenByteArray && element.TypeLength is not > 0)
            {
                throw new ParquetFormatException($"column '{element.Name}': FIXED_LEN_BYTE_ARRAY without a positive type_length");
            }
            fields.Add(new Field(element.Name, arrowType, optional));
            columns.Add(new ParquetColumn(i - 1, element.Name, physical, element.TypeLength ?? 0, optional, arrowType, isInt96));
        }
        return (new Tsdb.Arrow.Types.Schema(fields, metadata), columns);
    }

    private static (ArrowType Type, bool IsInt96) ArrowTypeOf(SchemaElement element, PhysicalType physical)
    {
        var logical = element.LogicalType;
        switch (physical)
        {
            case PhysicalType.Boolean:
                return (ArrowType.Boolean, false);
            case PhysicalType.Int32:
                if (logical?.Kind == LogicalTypeKind.Integer)
                {
                    return (IntegerType(logical.IntegerBitWidth, logical.IntegerIsSigned), false);
                }
                return (element.ConvertedType switch
                {
                    ConvertedType.Int8 => ArrowType.Int8,
                    ConvertedType.Int16 => ArrowType.Int16,
                    ConvertedType.Uint8 => ArrowType.UInt8,
                    ConvertedType.Uint16 => ArrowType.UInt16,
                    ConvertedType.Uint32 => ArrowType.UInt32,
                    _ => ArrowType.Int32,
                }, false);
            case PhysicalType.Int64:
                if (logical?.Kind == LogicalTypeKind.Timestamp)
                {
                    var unit = logical.TimeUnit switch
                    {
                        TimeUnitKind.Millis => TimeUnit.Millisecond,
                        TimeUnitKind.Micros => TimeUnit.Microsecond,
                        _ => TimeUnit.Nanosecond,
                    };
                    return (ArrowType.Timestamp(unit, logical.TimestampIsAdjustedToUtc ? "UTC" : null), false);
                }
                if (logical?.Kind == LogicalTypeKind.Integer)
                {
                    return (logical.IntegerIsSigned ? ArrowType.Int64 : ArrowType.UInt64, false);
                }
                return (element.ConvertedType switch
                {
                    ConvertedType.TimestampMillis => ArrowType.Timestamp(TimeUnit.Millisecond, "UTC"),
                    ConvertedType.TimestampMicros => ArrowType.Timestamp(TimeUnit.Microsecond, "UTC"),
                    ConvertedType.Uint64 => ArrowType.UInt64,
                    _ => ArrowType.Int64,
                }, false);
            case PhysicalType.Int96:
                return (ArrowType.Timestamp(TimeUnit.Nanosecond), true);
            case PhysicalType.Float:
                return (ArrowType.Float32, false);
            case PhysicalType.Double:
                return (ArrowType.Float64, false);
            case PhysicalType.ByteArray:
                var isText = logical?.Kind is LogicalTypeKind.String or LogicalTypeKind.Json or LogicalTypeKind.Enum
                    || element.ConvertedType is ConvertedType.Utf8 or ConvertedType.Json or ConvertedType.Enum;
                return (isText ? ArrowType.Utf8 : ArrowType.Binary, false);
            case PhysicalType.FixedLenByteArray:
                return (ArrowType.Binary, false);
            default:
                throw new ParquetFormatException($"column '{element.Name}': unknown physical type {(int)physical}");
        }
    }

    private static ArrowType IntegerType(int bitWidth, bool signed) => (bitWidth, signed) switch
    {
        (8, true) => ArrowType.Int8,
        (16, true) => ArrowType.Int16,
        (32, true) => ArrowType.Int32,
        (8, false) => ArrowType.UInt8,
        (16, false) => ArrowType.UInt16,
        (32, false) => ArrowType.UInt32,
        _ => throw new ParquetFormatException($"INT32 column with INTEGER({bitWidth}, {(signed ? "signed" : "unsigned")}) is not valid"),
    };
}
