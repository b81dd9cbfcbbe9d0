namespace Tsdb.Catalog;

/// <summary>What a token may do to a database's data (InfluxDB 3 Enterprise's <c>db:NAME:read,write</c> actions, plus delete).</summary>
[Flags]
public enum DatabaseActions
{
    None = 0,

    /// <summary>Queries of every kind (SQL, InfluxQL, PromQL, Flight), export.</summary>
    Read = 1,

    /// <summary>Line protocol, remote write, Flight DoPut.</summary>
    Write = 2,

    /// <summary>Row deletes and dropping the database's tables (dropping the database itself needs admin).</summary>
    Delete = 4,
}
