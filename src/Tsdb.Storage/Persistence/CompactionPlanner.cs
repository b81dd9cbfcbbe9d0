using Tsdb.Catalog;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Which files of one partition (one table, day and ingest node) a compaction merges, and at which times it splits the
/// output. Generations as in IOx: level 0 files come from persists and may overlap anything; compacted files (level 1:
/// under half the target size, level 2: at least half of it) never overlap each other in time, and every row they
/// hold is older than every row of the partition's level-0 files. Both invariants keep the order by
/// <see cref="ParquetFileEntry.MaxSequence"/> right for deduplication: files that overlap are either level 0 among
/// themselves (persists in WAL order) or a compacted file and a newer level-0 file.
/// </summary>
public static class CompactionPlanner
{
    public const int Level0 = 0;

    public const int Level1 = 1;

    public const int Level2 = 2;

    /// <summary>What to merge and where to cut: the output's file i holds times in [Boundaries[i-1], Boundaries[i]).</summary>
    public sealed record Plan(string Kind, IReadOnlyList<ParquetFileEntry> Inputs, IReadOnlyList<long> Boundaries);

    /// <summary>
    /// The next merge for a partition, or null when it needs none. In order:
    /// <list type="number">
    /// <item>level 0: at least <paramref name="minLevel0Files"/> level-0 files, or a row delete not yet applied to one:
    /// all level-0 files (so every compacted file stays older than every level-0 file) with the compacted files any of
    /// them overlaps in time (and any a row delete reaches);</item>
    /// <item>deletes: compacted files a row delete has not been applied to, alone;</item>
    /// <item>level 1: a run of time-adjacent level-1 files (no level-2 file between them) of at least two files holding
    /// half the target size, or of at least <paramref name="minLevel0Files"/> files: merged into target-size files.</item>
    /// </list>
    /// A full-size file that no new file overlaps is never rewritten. The output is cut by time into about
    /// (input size / <paramref name="targetBytes"/>) files, and at the edges of every compacted file left out, so the
    /// new files overlap neither each other nor those.
    /// </summary>
    public static Plan? Choose(IReadOnlyList<ParquetFileEntry> partition, Func<ParquetFileEntry, bool> needsDeletes, int minLevel0Files, long targetBytes)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(needsDeletes);
        var level0 = partition.Where(f => f.Level == Level0).ToList();
        var compacted = partition.Where(f => f.Level != Level0).OrderBy(f => f.MinTime).ThenBy(f => f.Id).ToList();
        List<ParquetFileEntry> inputs;
        string kind;
        if (level0.Count > 0 && (level0.Count >= minLevel0Files || level0.Any(needsDeletes)))
        {
            kind = "level 0";
            inputs = [.. level0, .. compacted.Where(c => needsDeletes(c) || level0.Any(f => Overlaps(f, c)))];
        }
        else if (compacted.Where(needsDeletes).ToList() is { Count: > 0 } reached)
        {
            kind = "deletes";
            inputs = reached;
        }
        else if (Level1Run(compacted, minLevel0Files, targetBytes) is { } run)
        {
            kind = "level 1";
            inputs = run;
        }
        else
        {
            return null;
        }
        var left = compacted.Where(c => !inputs.Contains(c)).ToList();
        return new Plan(kind, inputs, SplitTimes(inputs, left, targetBytes));
    }

    /// <summary>The level a compacted file of <paramref name="sizeBytes"/> gets: 2 from half the target size up.</summary>
    public static int LevelOf(long sizeBytes, long targetBytes) => sizeBytes >= targetBytes / 2 ? Level2 : Level1;

    public static bool Overlaps(ParquetFileEntry a, ParquetFileEntry b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.MinTime <= b.MaxTime && b.MinTime <= a.MaxTime;
    }

    private static List<ParquetFileEntry>? Level1Run(List<ParquetFileEntry> compacted, int minFiles, long targetBytes)
    {
        var run = new List<ParquetFileEntry>();
        foreach (var file in compacted.Append(null))
        {
            if (file is not null && file.Level == Level1)
            {
                run.Add(file);
                continue;
            }
            if (run.Count >= 2 && (run.Sum(f => f.SizeBytes) >= targetBytes / 2 || run.Count >= minFiles))
            {
                return run;
            }
            run = [];
        }
        return null;
    }

    /// <summary>
    /// Where the merged rows are cut. The inputs' bytes are taken as spread evenly over each file's time range, and the
    /// cuts put about the same share of them in each of ceil(total / target) files; a compacted file left out of the merge
    /// inside the inputs' span adds cuts at its edges (no new file spans it). Sorted, distinct, each above the
    /// smallest input time (so no range before the first is empty by construction).
    /// </summary>
    public static List<long> SplitTimes(IReadOnlyList<ParquetFileEntry> inputs, IReadOnlyList<ParquetFileEntry> left, long targetBytes)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(left);
        var cuts = new SortedSet<long>();
        if (inputs.Count == 0)
        {
            return [];
        }
        var min = inputs.Min(f => f.MinTime);
        var max = inputs.Max(f => f.MaxTime);
        double total = inputs.Sum(f => (double)f.SizeBytes);
        var pieces = (int)Math.Min(100_000, Math.Ceiling(total / Math.Max(1, targetBytes)));
        for (var j = 1; j < pieces; j++)
        {
            var share = total * j / pieces;
            // The first time at which the estimated bytes before it reach the share.
            long lo = min, hi = max;
            while (lo < hi)
            {
                var mid = lo + ((hi - lo) / 2);
                if (BytesBefore(inputs, mid + 1) >= share)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid + 1;
                }
            }
            cuts.Add(lo + 1);
        }
        foreach (var other in left)
        {
            if (other.MaxTime >= min && other.MinTime <= max)
            {
                cuts.Add(other.MinTime);
                cuts.Add(other.MaxTime == long.MaxValue ? other.MaxTime : other.MaxTime + 1);
            }
        }
        return [.. cuts.Where(c => c > min && c <= max)];
    }

    /// <summary>The inputs' bytes estimated to lie before <paramref name="time"/>.</summary>
    private static double BytesBefore(IReadOnlyList<ParquetFileEntry> inputs, long time)
    {
        double bytes = 0;
        foreach (var f in inputs)
        {
            if (time <= f.MinTime)
            {
                continue;
            }
            if (time > f.MaxTime)
            {
                bytes += f.SizeBytes;
                continue;
            }
            bytes += f.SizeBytes * ((double)(time - f.MinTime) / ((double)f.MaxTime - f.MinTime + 1));
        }
        return bytes;
    }
}
