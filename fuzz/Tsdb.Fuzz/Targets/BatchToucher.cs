using Tsdb.Arrow.Arrays;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Reads every value of a decoded batch (up to a bound): readers check buffers lazily in places, so a lie in the
/// metadata may only show when a value is read, as a query would read it.
/// </summary>
internal static class BatchToucher
{
    private const int MaxRows = 4096;

    public static void Touch(RecordBatch batch)
    {
        var rows = Math.Min(batch.Length, MaxRows);
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            var column = batch.Column(c);
            var length = Math.Min(column.Length, rows);
            for (var r = 0; r < length; r++)
            {
                _ = column.GetObject(r);
            }
        }
    }
}
