using Tsdb.Ingest;
using Tsdb.Prometheus;
using Tsdb.Query;
using Tsdb.Storage.Persistence;

namespace Tsdb.Server;

/// <summary>
/// What the front ends (HTTP and Flight) are given by the host that composed storage, ingest and query: the catalog,
/// the write paths, the tables to query, and the few things they may ask of storage. No WAL, buffer or persister:
/// those stay with the host.
/// </summary>
public sealed record ServerServices
{
    public required Catalog.Catalog Catalog { get; init; }

    /// <summary>Line protocol writes (HTTP v1/v2/v3) and Flight DoPut.</summary>
    public required LineProtocolIngester LineProtocol { get; init; }

    /// <summary>Prometheus remote write and, through it, OTLP.</summary>
    public required RemoteWriteIngester RemoteWrite { get; init; }

    /// <summary>The tables every query language reads.</summary>
    public required ITableSource Tables { get; init; }

    /// <summary>Persist, compact, retention and drops on request.</summary>
    public required IStorageControl Storage { get; init; }

    /// <summary>Row deletes, or null where they are not supported (a cluster: a delete is ordered by one WAL's sequence).</summary>
    public IRowDeleter? RowDeletes { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
