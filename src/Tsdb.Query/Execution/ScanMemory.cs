using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;
using Tsdb.Core.Diagnostics;

namespace Tsdb.Query.Execution;

/// <summary>
/// What a query's scan decodes, reserved from the process's budget before it is decoded: the stored rows come in
/// batches of at most <c>batchBytes</c> (<see cref="ScanRequest.MaxBatchBytes"/>), and the scan holds room for the
/// last <c>window</c> batches (what its consumers may still be working on), at their size, plus the next decode (a
/// decoder's buffers grow by doubling: twice a batch). These pages were the largest memory no reservation counted:
/// under a heap limit they ran the process out of memory in the middle of a decode. When the budget has no room, the
/// scan waits in line for it (<see cref="ProcessMemory.ReserveForQueryAsync"/>: bounded by
/// <see cref="MemoryShares.QueryWait"/>, cancelled with the query, first in line) rather than fail:
/// a scan's later batch comes after the answer has started streaming, when a failure can only cut it. Reserving every
/// batch up front instead would hold the whole bound for scans that never need it. Only when the wait runs out does
/// the scan fail the query with the process budget's 503 (a cut answer if it had started). The query's own limit is
/// not charged: it bounds what operators keep, and a sort spilling at its limit must still read.
/// </summary>
public static class ScanMemory
{
    /// <summary>
    /// The most a scan of a query with <paramref name="queryLimit"/> decodes at once: a sixteenth of it, 1 to 64 MiB
    /// (a 64 MiB query under a 512 MiB heap: batches of 4 MiB rather than whole row groups of up to a million rows).
    /// </summary>
    public static long BatchBytes(long queryLimit) => Math.Clamp(queryLimit / 16, 1L << 20, 64L << 20);

    public static async IAsyncEnumerable<RecordBatch> ReserveAsync(IAsyncEnumerable<RecordBatch> scan, ProcessMemory? process, long batchBytes, int window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (process is null)
        {
            await foreach (var batch in scan.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                yield return batch;
            }
            yield break;
        }
        // Up front only the first decode: the batches kept are reserved as they come, at their size (a small table's
        // scan does not hold the bound for batches it never has).
        var decoding = 2 * batchBytes;
        var reserved = decoding;
        if (!await process.ReserveForQueryAsync(reserved, running: true, cancellationToken).ConfigureAwait(false))
        {
            throw MemoryReservation.ProcessMemoryExhausted(process, "a scan (the pages it decodes)", reserved, waited: true);
        }
        try
        {
            var sizes = new Queue<long>();
            long held = 0;
            await foreach (var batch in scan.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var size = QueryMemoryPool.SizeOf(batch);
                sizes.Enqueue(size);
                held += size;
                while (sizes.Count > window)
                {
                    held -= sizes.Dequeue();
                }
                // Batches larger than asked for (rows merged from the write buffer, strings longer than the file's
                // sizes said): the reservation follows what is held, before the next decode starts.
                if (held + decoding > reserved)
                {
                    var more = held + decoding - reserved;
                    if (!await process.ReserveForQueryAsync(more, running: true, cancellationToken).ConfigureAwait(false))
                    {
                        throw MemoryReservation.ProcessMemoryExhausted(process, "a scan (the pages it decodes)", more, waited: true);
                    }
                    reserved += more;
                }
                yield return batch;
            }
        }
        finally
        {
            process.Release(reserved);
        }
    }
}
