using Tsdb.Core.Schema;

namespace Tsdb.Catalog;

public enum CatalogErrorKind
{
    InvalidName,
    TypeConflict,
    LimitExceeded,
    NotFound,
}

/// <summary>An expected schema error, as a value: the write path turns it into a per-line error or an HTTP status.</summary>
public sealed record CatalogError(CatalogErrorKind Kind, string Message)
{
    /// <summary>InfluxDB 3's wording, plus the table: "invalid column type for column 'x' in table 't', expected …, got …".</summary>
    public static CatalogError TypeConflict(string table, string column, ColumnKind existing, ColumnKind attempted) =>
        new(CatalogErrorKind.TypeConflict,
            $"invalid column type for column '{column}' in table '{table}', expected {ColumnKindNames.IoxType(existing)}, got {ColumnKindNames.IoxType(attempted)}");
}
