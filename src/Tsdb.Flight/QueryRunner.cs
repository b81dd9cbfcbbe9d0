using Grpc.Core;
using Tsdb.Query;
using Tsdb.Query.Sql;

namespace Tsdb.Flight;

/// <summary>Runs SQL through the query engine and maps its errors to gRPC statuses.</summary>
internal sealed class QueryRunner(Catalog.Catalog catalog, SqlEngine engine)
{
    public async Task<QueryResult> RunAsync(string? database, string sql, IReadOnlyDictionary<string, object?>? parameters, CancellationToken cancellationToken)
    {
        var db = RequireDatabase(database);
        try
        {
            return await engine.ExecuteAsync(db, sql, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (QueryException ex)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, ex.Message);
        }
        catch (QueryLimitException ex)
        {
            throw RpcErrors.Of(StatusCode.ResourceExhausted, ex.Message);
        }
    }

    /// <summary>For DoGet: the answer streamed from the plan as it is produced.</summary>
    public async Task<IFlightResult> StreamAsync(string? database, string sql, IReadOnlyDictionary<string, object?>? parameters, bool hydrate, int targetBytes, CancellationToken cancellationToken)
    {
        var db = RequireDatabase(database);
        QueryStream stream;
        try
        {
            stream = await engine.ExecuteStreamAsync(db, sql, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (QueryException ex)
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument, ex.Message);
        }
        catch (QueryLimitException ex)
        {
            throw RpcErrors.Of(StatusCode.ResourceExhausted, ex.Message);
        }
        return new StreamingFlightResult(stream, hydrate, targetBytes);
    }

    /// <summary>The database, which must be named and exist.</summary>
    public string RequireDatabase(string? database)
    {
        if (string.IsNullOrEmpty(database))
        {
            throw RpcErrors.Of(StatusCode.InvalidArgument,
                "no database given: set the 'database' header (or 'bucket', 'bucket-name', 'iox-namespace-name'), or \"database\" in the ticket");
        }
        if (catalog.Current.FindDatabase(database) is null)
        {
            throw RpcErrors.Of(StatusCode.NotFound, $"database not found: {database}");
        }
        return database;
    }

    /// <summary>The database a Flight SQL call names in its headers, as InfluxDB 3 accepts them.</summary>
    public static string? DatabaseHeader(ServerCallContext call)
    {
        var headers = call.RequestHeaders;
        return headers.GetValue("database") ?? headers.GetValue("bucket") ?? headers.GetValue("bucket-name") ?? headers.GetValue("iox-namespace-name");
    }
}
