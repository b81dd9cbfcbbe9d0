namespace Tsdb.Prometheus;

/// <summary>
/// A read named a database the catalog does not have. Thrown rather than answering no series, so a client that forgot
/// to name its database hears about it; the HTTP layer words the hint (how a client names one).
/// </summary>
public sealed class DatabaseNotFoundException : Exception
{
    public DatabaseNotFoundException()
    {
        Database = "";
    }

    public DatabaseNotFoundException(string database) : base($"database '{database}' not found")
    {
        Database = database;
    }

    public DatabaseNotFoundException(string database, Exception innerException) : base($"database '{database}' not found", innerException)
    {
        Database = database;
    }

    public string Database { get; }
}
