using Tsdb.Parquet.Thrift;

namespace Tsdb.Parquet.Metadata;

/// <summary>
/// parquet.thrift <c>LogicalType</c>, a union: <see cref="Kind"/> says which member is set, and the properties of
/// that member's struct are filled in. A member unknown here (VARIANT, GEOMETRY, a future one) reads as
/// <see cref="LogicalTypeKind.Other"/> with its id in <see cref="UnknownMemberId"/>; deciding whether a column of that
/// type can be read is left to the layer that reads it.
/// </summary>
public sealed class LogicalType
{
    public LogicalTypeKind Kind { get; set; }

    /// <summary>For <see cref="LogicalTypeKind.Other"/> read from a file: the union member's field id (0 if the union was empty).</summary>
    public short UnknownMemberId { get; set; }

    /// <summary>TimestampType / TimeType field 1, <c>isAdjustedToUTC</c>, for both <see cref="LogicalTypeKind.Timestamp"/> and <see cref="LogicalTypeKind.Time"/>.</summary>
    public bool TimestampIsAdjustedToUtc { get; set; }

    /// <summary>TimestampType / TimeType field 2, <c>unit</c>; required for Time and Timestamp.</summary>
    public TimeUnitKind? TimeUnit { get; set; }

    /// <summary>IntType field 1, <c>bitWidth</c> (8, 16, 32 or 64).</summary>
    public sbyte IntegerBitWidth { get; set; }

    /// <summary>IntType field 2, <c>isSigned</c>.</summary>
    public bool IntegerIsSigned { get; set; }

    /// <summary>DecimalType field 1, <c>scale</c>.</summary>
    public int DecimalScale { get; set; }

    /// <summary>DecimalType field 2, <c>precision</c>.</summary>
    public int DecimalPrecision { get; set; }

    /// <summary>STRING (write ConvertedType UTF8 alongside it).</summary>
    public static LogicalType String() => new() { Kind = LogicalTypeKind.String };

    /// <summary>UNKNOWN: a column that is always null.</summary>
    public static LogicalType Unknown() => new() { Kind = LogicalTypeKind.Unknown };

    /// <summary>INTEGER of 8, 16, 32 or 64 bits.</summary>
    public static LogicalType Integer(sbyte bitWidth, bool isSigned) =>
        new() { Kind = LogicalTypeKind.Integer, IntegerBitWidth = bitWidth, IntegerIsSigned = isSigned };

    public static LogicalType Timestamp(bool isAdjustedToUtc, TimeUnitKind unit) =>
        new() { Kind = LogicalTypeKind.Timestamp, TimestampIsAdjustedToUtc = isAdjustedToUtc, TimeUnit = unit };

    public static LogicalType Time(bool isAdjustedToUtc, TimeUnitKind unit) =>
        new() { Kind = LogicalTypeKind.Time, TimestampIsAdjustedToUtc = isAdjustedToUtc, TimeUnit = unit };

    public static LogicalType Decimal(int precision, int scale) =>
        new() { Kind = LogicalTypeKind.Decimal, DecimalPrecision = precision, DecimalScale = scale };

    internal static LogicalType Read(ref ThriftCompactReader reader)
    {
        var result = new LogicalType();
        var members = 0;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            if (++members > 1)
            {
                throw new ParquetFormatException($"Thrift: LogicalType union has more than one member (field {field.Id}) at byte {reader.Position}");
            }
            switch (field.Id)
            {
                case (short)LogicalTypeKind.String:
                case (short)LogicalTypeKind.Map:
                case (short)LogicalTypeKind.List:
                case (short)LogicalTypeKind.Enum:
                case (short)LogicalTypeKind.Date:
                case (short)LogicalTypeKind.Unknown:
                case (short)LogicalTypeKind.Json:
                case (short)LogicalTypeKind.Bson:
                case (short)LogicalTypeKind.Uuid:
                case (short)LogicalTypeKind.Float16:
                    // Empty structs; anything a later format version adds inside them is skipped.
                    reader.Expect(field, ThriftType.Struct, "LogicalType member");
                    reader.Skip(ThriftType.Struct);
                    result.Kind = (LogicalTypeKind)field.Id;
                    break;
                case (short)LogicalTypeKind.Decimal:
                    reader.Expect(field, ThriftType.Struct, "LogicalType.DECIMAL");
                    ReadDecimal(ref reader, result);
                    result.Kind = LogicalTypeKind.Decimal;
                    break;
                case (short)LogicalTypeKind.Time:
                    reader.Expect(field, ThriftType.Struct, "LogicalType.TIME");
                    ReadTime(ref reader, result, isTimestamp: false);
                    result.Kind = LogicalTypeKind.Time;
                    break;
                case (short)LogicalTypeKind.Timestamp:
                    reader.Expect(field, ThriftType.Struct, "LogicalType.TIMESTAMP");
                    ReadTime(ref reader, result, isTimestamp: true);
                    result.Kind = LogicalTypeKind.Timestamp;
                    break;
                case (short)LogicalTypeKind.Integer:
                    reader.Expect(field, ThriftType.Struct, "LogicalType.INTEGER");
                    ReadInteger(ref reader, result);
                    result.Kind = LogicalTypeKind.Integer;
                    break;
                default:
                    reader.Skip(field.Type);
                    result.Kind = LogicalTypeKind.Other;
                    result.UnknownMemberId = field.Id;
                    break;
            }
        }
        reader.ReadStructEnd();
        return result;
    }

    private static void ReadDecimal(ref ThriftCompactReader reader, LogicalType result)
    {
        bool hasScale = false, hasPrecision = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I32, "DecimalType.scale");
                    result.DecimalScale = reader.ReadI32();
                    hasScale = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.I32, "DecimalType.precision");
                    result.DecimalPrecision = reader.ReadI32();
                    hasPrecision = true;
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasScale, "DecimalType.scale");
        reader.Require(hasPrecision, "DecimalType.precision");
        reader.ReadStructEnd();
    }

    private static void ReadTime(ref ThriftCompactReader reader, LogicalType result, bool isTimestamp)
    {
        var adjustedName = isTimestamp ? "TimestampType.isAdjustedToUTC" : "TimeType.isAdjustedToUTC";
        var unitName = isTimestamp ? "TimestampType.unit" : "TimeType.unit";
        bool hasAdjusted = false, hasUnit = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.Bool, adjustedName);
                    result.TimestampIsAdjustedToUtc = reader.ReadBool();
                    hasAdjusted = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.Struct, unitName);
                    result.TimeUnit = ReadTimeUnit(ref reader);
                    hasUnit = true;
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasAdjusted, adjustedName);
        reader.Require(hasUnit, unitName);
        reader.ReadStructEnd();
    }

    /// <summary>The TimeUnit union: MILLIS, MICROS, NANOS are empty structs; any other member is kept as its id.</summary>
    private static TimeUnitKind ReadTimeUnit(ref ThriftCompactReader reader)
    {
        TimeUnitKind unit = 0;
        var members = 0;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            if (++members > 1)
            {
                throw new ParquetFormatException($"Thrift: TimeUnit union has more than one member (field {field.Id}) at byte {reader.Position}");
            }
            unit = (TimeUnitKind)field.Id;
            reader.Skip(field.Type);
        }
        reader.ReadStructEnd();
        return unit;
    }

    private static void ReadInteger(ref ThriftCompactReader reader, LogicalType result)
    {
        bool hasBitWidth = false, hasSigned = false;
        reader.ReadStructBegin();
        for (var field = reader.ReadFieldHeader(); !field.IsStop; field = reader.ReadFieldHeader())
        {
            switch (field.Id)
            {
                case 1:
                    reader.Expect(field, ThriftType.I8, "IntType.bitWidth");
                    result.IntegerBitWidth = reader.ReadI8();
                    hasBitWidth = true;
                    break;
                case 2:
                    reader.Expect(field, ThriftType.Bool, "IntType.isSigned");
                    result.IntegerIsSigned = reader.ReadBool();
                    hasSigned = true;
                    break;
                default:
                    reader.Skip(field.Type);
                    break;
            }
        }
        reader.Require(hasBitWidth, "IntType.bitWidth");
        reader.Require(hasSigned, "IntType.isSigned");
        reader.ReadStructEnd();
    }

    internal void Write(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        switch (Kind)
        {
            case LogicalTypeKind.String:
            case LogicalTypeKind.Map:
            case LogicalTypeKind.List:
            case LogicalTypeKind.Enum:
            case LogicalTypeKind.Date:
            case LogicalTypeKind.Unknown:
            case LogicalTypeKind.Json:
            case LogicalTypeKind.Bson:
            case LogicalTypeKind.Uuid:
            case LogicalTypeKind.Float16:
                writer.WriteFieldHeader((short)Kind, ThriftType.Struct);
                WriteEmptyStruct(writer);
                break;
            case LogicalTypeKind.Decimal:
                writer.WriteFieldHeader((short)Kind, ThriftType.Struct);
                writer.WriteStructBegin();
                writer.WriteI32Field(1, DecimalScale);
                writer.WriteI32Field(2, DecimalPrecision);
                writer.WriteFieldStop();
                writer.WriteStructEnd();
                break;
            case LogicalTypeKind.Time:
            case LogicalTypeKind.Timestamp:
                if (TimeUnit is not (TimeUnitKind.Millis or TimeUnitKind.Micros or TimeUnitKind.Nanos))
                {
                    throw new InvalidOperationException($"a {Kind} logical type needs a time unit of Millis, Micros or Nanos, not {TimeUnit}");
                }
                writer.WriteFieldHeader((short)Kind, ThriftType.Struct);
                writer.WriteStructBegin();
                writer.WriteBoolField(1, TimestampIsAdjustedToUtc);
                writer.WriteFieldHeader(2, ThriftType.Struct);
                writer.WriteStructBegin();
                writer.WriteFieldHeader((short)TimeUnit.Value, ThriftType.Struct);
                WriteEmptyStruct(writer);
                writer.WriteFieldStop();
                writer.WriteStructEnd();
                writer.WriteFieldStop();
                writer.WriteStructEnd();
                break;
            case LogicalTypeKind.Integer:
                writer.WriteFieldHeader((short)Kind, ThriftType.Struct);
                writer.WriteStructBegin();
                writer.WriteI8Field(1, IntegerBitWidth);
                writer.WriteBoolField(2, IntegerIsSigned);
                writer.WriteFieldStop();
                writer.WriteStructEnd();
                break;
            default:
                // What the member held was skipped when it was read, so it cannot be written back.
                throw new InvalidOperationException($"a logical type of kind {Kind} (union member {UnknownMemberId}) cannot be written");
        }
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }

    private static void WriteEmptyStruct(ThriftCompactWriter writer)
    {
        writer.WriteStructBegin();
        writer.WriteFieldStop();
        writer.WriteStructEnd();
    }
}
