using Tsdb.Arrow.Arrays;
using Tsdb.Arrow.Builders;
using Tsdb.Arrow.Compute;
using Tsdb.Catalog;
using Tsdb.Core.Deletes;

namespace Tsdb.Storage.Deletes;

/// <summary>Drops the rows of a batch that row deletes remove.</summary>
public static class TombstoneFilter
{
    /// <summary>The batch without the rows any of <paramref name="predicates"/> matches (the batch itself when none does).</summary>
    public static RecordBatch Apply(RecordBatch batch, IReadOnlyList<DeletePredicate> predicates)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(predicates);
        if (predicates.Count == 0 || batch.Length == 0)
        {
            return batch;
        }
        if (batch.Column(TableDefinition.TimeColumn) is not TimestampArray times)
        {
            throw new InvalidDataException("a batch read for a row delete has no time column");
        }
        var deleted = new bool[batch.Length];
        var count = 0;
        foreach (var predicate in predicates)
        {
            var terms = predicate.Terms.Select(t => (Term: t, Column: batch.Column(t.Column))).ToList();
            for (var i = 0; i < batch.Length; i++)
            {
                if (deleted[i])
                {
                    continue;
                }
                var time = times.GetValue(i);
                if ((predicate.FromTime is { } from && time < from) || (predicate.ToTime is { } to && time > to))
                {
                    continue;
                }
                var all = true;
                foreach (var (term, column) in terms)
                {
                    if (column is null || !Holds(term, column, i))
                    {
                        all = false;
                        break;
                    }
                }
                if (all)
                {
                    deleted[i] = true;
                    count++;
                }
            }
        }
        if (count == 0)
        {
            return batch;
        }
        using var keep = new BooleanArrayBuilder();
        foreach (var d in deleted)
        {
            keep.Append(!d);
        }
        return Selection.Filter(batch, keep.Build());
    }

    /// <summary>Whether the term holds for row <paramref name="row"/>; never for a null (as SQL compares with NULL).</summary>
    public static bool Holds(DeleteTerm term, ArrowArray column, int row)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(column);
        if (column.IsNull(row))
        {
            return false;
        }
        var comparison = column switch
        {
            DictionaryArray or StringArray when term.String is { } s => string.CompareOrdinal((string)column.GetObject(row)!, s),
            PrimitiveArray<double> d when term.Number is { } n => d.GetValue(row).CompareTo(n),
            PrimitiveArray<long> l when term.Integer is { } i => l.GetValue(row).CompareTo(i),
            PrimitiveArray<long> l when term.Number is { } n => ((double)l.GetValue(row)).CompareTo(n),
            PrimitiveArray<ulong> u when term.Integer is { } i => i < 0 ? 1 : u.GetValue(row).CompareTo((ulong)i),
            PrimitiveArray<ulong> u when term.Number is { } n => ((double)u.GetValue(row)).CompareTo(n),
            BooleanArray b when term.Boolean is { } v => b.GetValue(row).CompareTo(v),
            _ => (int?)null,
        };
        return comparison is { } c && term.Holds(c);
    }
}
