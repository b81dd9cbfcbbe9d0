using Grpc.Core;
using Tsdb.Arrow.Arrays;
using Tsdb.Catalog;
using Tsdb.Ingest;

namespace Tsdb.Flight;

/// <summary>
/// DoPut bulk writes: each Arrow batch is read straight into the shared <see cref="WritePath"/>
/// (<see cref="ArrowBatchRows"/>), so it meets the same catalog checks, limits, retention, day partitioning and WAL as
/// every other write, and is durable (fsynced) before it is acknowledged. A batch is written whole or not at all.
/// </summary>
internal sealed class ArrowIngest(WritePath path)
{
    private const string Api = "flight";

    /// <param name="bodyBytes">The batch's size on the wire, for the write metrics.</param>
    public async Task<int> WriteAsync(string database, string table, RecordBatch batch, long bodyBytes, CancellationToken cancellationToken)
    {
        if (path.IsOverBudget)
        {
            WriteMetrics.Record(Api, "overloaded", 0, 0, bodyBytes);
            throw RpcErrors.Of(StatusCode.ResourceExhausted, WritePath.OverloadedMessage);
        }
        ArrowBatchRows rows;
        try
        {
            rows = ArrowBatchRows.Of(table, batch);
        }
        catch (RpcException)
        {
            WriteMetrics.Record(Api, "rejected", 0, batch.Length, bodyBytes);
            throw;
        }
        if (rows.RowCount == 0)
        {
            WriteMetrics.Record(Api, "ok", 0, 0, bodyBytes);
            return 0;
        }
        try
        {
            var staged = await path.StageAsync(database, rows.Stage, cancellationToken).ConfigureAwait(false);
            if (staged.DatabaseError is { } dbError)
            {
                WriteMetrics.Record(Api, "rejected", 0, rows.RowCount, bodyBytes);
                throw RpcErrors.Of(dbError.Kind == CatalogErrorKind.LimitExceeded ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument, dbError.Message);
            }
            using var stager = staged.Stager!;
            if (staged.Pass is { } refusal)
            {
                WriteMetrics.Record(Api, "rejected", 0, rows.RowCount, bodyBytes);
                throw RpcErrors.Of(stager.LimitExceeded ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument,
                    $"row {refusal.Row} of the batch was refused (nothing of the batch was written): {refusal.Message}");
            }
            await path.AppendAsync(database, stager, sync: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            WriteMetrics.Record(Api, "error", 0, 0, bodyBytes);
            throw;
        }
        WriteMetrics.Record(Api, "ok", rows.RowCount, 0, bodyBytes);
        return rows.RowCount;
    }
}
