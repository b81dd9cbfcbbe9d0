using Tsdb.Core.Schema;
using Tsdb.Query.Chunks;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// How one compaction spends <c>--compaction-memory-budget</c>: half on its inputs (every input file is read at once by
/// the merge, a slice of rows each plus one slice read ahead), half on the row groups its open output files assemble,
/// so neither the partition's size nor its number of files nor the input files' row-group size sets the memory.
/// Sizes are estimated from the table's columns as Arrow holds them (tags as dictionary codes).
/// </summary>
internal sealed record CompactionMemory(int RowsPerInputBatch, int FilesPerPass, int RowsPerPass)
{
    /// <summary>Fewer rows per batch than this cost more in per-batch work than they save.</summary>
    internal const int MinRows = 4_096;

    /// <summary>At most this many rows per input slice and per output pass (Parquet's row group).</summary>
    internal const int MaxRows = 1_048_576;

    /// <param name="storedBytesPerRow">
    /// The input files' bytes per row as stored (0: unknown). Strings longer than the 20 characters the column estimate
    /// takes made a compaction hold several times its budget; twice the stored size (decompressed, as Arrow holds it)
    /// is used when it is larger.
    /// </param>
    public static CompactionMemory Of(long budget, TableColumns columns, int inputs, long storedBytesPerRow = 0)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var perRow = Math.Max(BytesPerRow(columns), 2 * storedBytesPerRow);
        var half = Math.Max(1, budget / 2);
        // Two slices per input: the one being merged and the one read ahead.
        var inputRows = (int)Math.Clamp(half / (2L * Math.Max(1, inputs) * perRow), MinRows, MaxRows);
        var files = (int)Math.Clamp(budget / StorageOptions.CompactionBytesPerOpenFile, 1, 1024);
        var passRows = (int)Math.Clamp(half / perRow, MinRows, MaxRows);
        return new CompactionMemory(inputRows, files, passRows);
    }

    /// <summary>Bytes one row takes in Arrow arrays, with a string field taken as 20 characters.</summary>
    internal static long BytesPerRow(TableColumns columns)
    {
        long bytes = 0;
        foreach (var (_, kind) in columns.Columns)
        {
            // Every named kind is listed (a new one must be sized here); CS8524 only concerns cast integers.
#pragma warning disable CS8524
            bytes += kind switch
            {
                ColumnKind.Time or ColumnKind.Float or ColumnKind.Integer or ColumnKind.UInteger => 8,
                ColumnKind.Tag => 4,
                ColumnKind.String => 24,
                ColumnKind.Boolean => 1,
            };
#pragma warning restore CS8524
            bytes += 1; // validity, and slack for the bit-packed case
        }
        return Math.Max(1, bytes);
    }
}
