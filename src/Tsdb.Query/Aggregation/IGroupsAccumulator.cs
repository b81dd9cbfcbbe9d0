using Tsdb.Arrow.Arrays;

namespace Tsdb.Query.Aggregation;

/// Vectorised per-group state of one aggregate call (DataFusion's GroupsAccumulator idea).
public interface IGroupsAccumulator
{
    /// Folds rows of one batch in: arguments are the evaluated argument arrays (count(*) gets none), all of the batch's length;
    /// groupIds[i] in [0, groupCount) is row i's group; the accumulator grows to groupCount groups (new groups start empty).
    /// filter: rows where it is false or null are skipped (FILTER (WHERE …)); null means all rows.
    void Update(IReadOnlyList<ArrowArray> arguments, ReadOnlySpan<int> groupIds, int groupCount, BooleanArray? filter);

    /// Folds another accumulator of the same call into this one (partial aggregation on several cores): other's group g goes to this's group mapping[g]; this grows to groupCount.
    void Merge(IGroupsAccumulator other, ReadOnlySpan<int> mapping, int groupCount);

    /// One value per group (groupCount rows), of the function's return type.
    ArrowArray Evaluate();

    /// Bytes this accumulator holds (the operator reserves the growth from the query's memory pool).
    long MemoryBytes { get; }
}
