using Tsdb.Arrow.Arrays;
using Tsdb.Parquet.Writing;
using Tsdb.Query.Execution;

namespace Tsdb.Server.Http;

/// <summary>
/// The <c>parquet</c> format written as batches arrive: rows gather into a row group while the query's memory pool
/// lets them (reserved as "ParquetOutput(row group)"), up to <see cref="RowGroupRows"/>; then the row group is encoded
/// and sent. When the pool has no room a batch becomes a row group of its own (it exists already; the answer gets
/// smaller row groups, never a memory error), so the answer never holds more than the limit and one batch.
/// </summary>
internal sealed class ParquetAnswer : IDisposable
{
    public const int RowGroupRows = 1_048_576;

    private readonly MemoryStream _buffer = new();
    private readonly ParquetWriter _writer;
    private readonly MemoryReservation? _reservation;
    private long _pendingRows;

    public ParquetAnswer(Tsdb.Arrow.Types.Schema schema, QueryMemoryPool? pool)
    {
        _writer = new ParquetWriter(_buffer, schema, new ParquetWriterOptions { RowGroupSize = RowGroupRows }, leaveOpen: true);
        _reservation = pool?.Reserve("ParquetOutput(row group)");
    }

    public async Task WriteAsync(RecordBatch batch, Stream body, CancellationToken cancellationToken)
    {
        var size = QueryMemoryPool.SizeOf(batch);
        if (_pendingRows > 0 && (_pendingRows + batch.Length > RowGroupRows || !(_reservation?.TryGrow(size) ?? true)))
        {
            await FlushAsync(body, cancellationToken).ConfigureAwait(false);
        }
        var reserved = _pendingRows > 0 || (_reservation?.TryGrow(size) ?? true);
        _writer.WriteBatch(batch);
        _pendingRows += batch.Length;
        if (!reserved)
        {
            await FlushAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task FinishAsync(Stream body, CancellationToken cancellationToken)
    {
        _writer.Finish();
        _reservation?.Free();
        await DrainAsync(body, cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushAsync(Stream body, CancellationToken cancellationToken)
    {
        _writer.FlushRowGroup();
        _reservation?.Free();
        _pendingRows = 0;
        await DrainAsync(body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends what the writer encoded so far and empties the buffer (the writer counts positions itself).</summary>
    private async Task DrainAsync(Stream body, CancellationToken cancellationToken)
    {
        if (_buffer.Length == 0)
        {
            return;
        }
        await body.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken).ConfigureAwait(false);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        _buffer.SetLength(0);
    }

    public void Dispose()
    {
        _reservation?.Dispose();
        _writer.Dispose();
        _buffer.Dispose();
    }
}
