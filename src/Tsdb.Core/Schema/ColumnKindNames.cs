namespace Tsdb.Core.Schema;

/// <summary>Names of column kinds as users see them (messages) and as IOx writes them (Arrow field metadata).</summary>
public static class ColumnKindNames
{
    /// <summary>The Arrow field-metadata key InfluxDB 3 clients read column kinds from.</summary>
    public const string IoxMetadataKey = "iox::column::type";

    public static string Display(ColumnKind kind) => kind switch
    {
        ColumnKind.Time => "time",
        ColumnKind.Tag => "tag",
        ColumnKind.Float => "float",
        ColumnKind.Integer => "integer",
        ColumnKind.UInteger => "uinteger",
        ColumnKind.String => "string",
        ColumnKind.Boolean => "boolean",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The <c>iox::column::type</c> value for a kind.</summary>
    public static string IoxType(ColumnKind kind) => kind switch
    {
        ColumnKind.Time => "iox::column_type::timestamp",
        ColumnKind.Tag => "iox::column_type::tag",
        _ => "iox::column_type::field::" + Display(kind),
    };

    public static ColumnKind? FromIoxType(string? value) => value switch
    {
        "iox::column_type::timestamp" => ColumnKind.Time,
        "iox::column_type::tag" => ColumnKind.Tag,
        "iox::column_type::field::float" => ColumnKind.Float,
        "iox::column_type::field::integer" => ColumnKind.Integer,
        "iox::column_type::field::uinteger" => ColumnKind.UInteger,
        "iox::column_type::field::string" => ColumnKind.String,
        "iox::column_type::field::boolean" => ColumnKind.Boolean,
        _ => null,
    };
}
