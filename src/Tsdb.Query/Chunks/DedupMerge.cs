using System.Runtime.CompilerServices;
using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Chunks;

/// <summary>
/// The one streaming merge of a table's sorted inputs into sorted, deduplicated batches: rows with the same tags and
/// time are one point, and field by field the latest non-null value wins (a later input is a later write). Memory
/// holds about one batch per input, not the inputs: it reads a batch from each input, then merges every row up to the
/// smallest "last key read" among the inputs not yet finished — no input can still hold a row at or before that key —
/// and keeps the rest for the next round. Queries, export and compaction all merge through it.
/// </summary>
public static class DedupMerge
{
    /// <param name="table">The columns the batches carry and their sort key; output batches have these columns.</param>
    /// <param name="inputs">Oldest first. Each is sorted by the sort key and holds a point at most once.</param>
    /// <param name="split">
    /// Optional: cuts each batch as it is read into rows that go out at once, unmerged (they cannot meet a row of another
    /// input), and rows to merge.
    /// </param>
    public static async IAsyncEnumerable<RecordBatch> MergeAsync(
        TableColumns table,
        IReadOnlyList<IAsyncEnumerable<RecordBatch>> inputs,
        Func<RecordBatch, (RecordBatch? Pass, RecordBatch? Merge)>? split = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(inputs);
        var n = inputs.Count;
        var enumerators = new IAsyncEnumerator<RecordBatch>?[n];
        var pending = new List<SortKeyRows>[n];
        var finished = new bool[n];
        try
        {
            for (var i = 0; i < n; i++)
            {
                enumerators[i] = inputs[i].GetAsyncEnumerator(cancellationToken);
                pending[i] = [];
            }
            var parts = new List<RecordBatch>();
            var contributors = new HashSet<int>();
            while (true)
            {
                // Every unfinished input holds at least one row.
                for (var i = 0; i < n; i++)
                {
                    while (!finished[i] && pending[i].Count == 0)
                    {
                        if (!await enumerators[i]!.MoveNextAsync().ConfigureAwait(false))
                        {
                            finished[i] = true;
                            break;
                        }
                        var batch = enumerators[i]!.Current;
                        if (split is not null)
                        {
                            (var pass, batch) = split(batch);
                            if (pass is { Length: > 0 })
                            {
                                yield return pass;
                            }
                        }
                        if (batch is { Length: > 0 })
                        {
                            pending[i].Add(new SortKeyRows(batch, table));
                        }
                    }
                }

                // The bound: the smallest last-read key among unfinished inputs (none: everything left can go).
                SortKeyRows? bound = null;
                for (var i = 0; i < n; i++)
                {
                    if (!finished[i])
                    {
                        var last = pending[i][^1];
                        if (bound is null || last.Compare(last.Length - 1, bound, bound.Length - 1) < 0)
                        {
                            bound = last;
                        }
                    }
                }

                parts.Clear();
                contributors.Clear();
                for (var i = 0; i < n; i++)
                {
                    var rows = pending[i];
                    var taken = 0;
                    while (taken < rows.Count)
                    {
                        var piece = rows[taken];
                        var count = bound is null ? piece.Length : piece.CountAtOrBefore(bound, bound.Length - 1);
                        if (count == 0)
                        {
                            break;
                        }
                        contributors.Add(i);
                        if (count == piece.Length)
                        {
                            parts.Add(piece.Batch);
                            taken++;
                            continue;
                        }
                        parts.Add(piece.Take(count));
                        rows[taken] = piece.From(count);
                        break;
                    }
                    rows.RemoveRange(0, taken);
                }
                if (parts.Count > 0)
                {
                    // One input's rows are sorted and deduplicated already; rows of several are merged.
                    IEnumerable<RecordBatch> merged = contributors.Count == 1 ? Conform(table, parts) : [RowMerger.Merge(table, parts)];
                    foreach (var batch in merged)
                    {
                        if (batch.Length > 0)
                        {
                            yield return batch;
                        }
                    }
                }
                if (bound is null)
                {
                    yield break;
                }
            }
        }
        finally
        {
            foreach (var e in enumerators)
            {
                if (e is not null)
                {
                    await e.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Batches of one input as they are, each carrying the table's columns (absent ones as nulls, types as the table's).</summary>
    private static IEnumerable<RecordBatch> Conform(TableColumns table, List<RecordBatch> parts)
    {
        foreach (var part in parts)
        {
            yield return table.Conform(part);
        }
    }
}
