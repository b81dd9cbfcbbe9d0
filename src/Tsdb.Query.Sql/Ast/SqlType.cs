namespace Tsdb.Query.Sql;

/// <summary>Target types of CAST, by the Arrow type they stand for; synonyms map to one value.</summary>
public enum SqlType
{
    /// <summary>bigint, int, integer, int8, int4, smallint.</summary>
    BigInt,

    /// <summary>double [precision], float, float8, real.</summary>
    Double,

    /// <summary>varchar, text, string, char.</summary>
    Varchar,

    /// <summary>boolean, bool.</summary>
    Boolean,

    /// <summary>timestamp (nanoseconds).</summary>
    Timestamp,
}
