using Tsdb.Catalog;

namespace Tsdb.Storage.Tests;

/// <summary>What compaction generations promise of a catalog's files, checked after a compaction.</summary>
internal static class CompactionInvariants
{
    /// <summary>
    /// Per partition (table, day, node): compacted files (level 1 and 2) never overlap each other in time, and each is
    /// older (lower sequence) than every level-0 file, which the dedup order by sequence depends on.
    /// </summary>
    public static void Check(IEnumerable<ParquetFileEntry> files, string context)
    {
        foreach (var partition in files.GroupBy(f => (f.Database, f.Table, f.Day, f.Node)))
        {
            var compacted = partition.Where(f => f.Level > 0).OrderBy(f => f.MinTime).ToList();
            for (var i = 1; i < compacted.Count; i++)
            {
                Assert.True(compacted[i - 1].MaxTime < compacted[i].MinTime,
                    $"compacted files overlap: [{compacted[i - 1].MinTime}, {compacted[i - 1].MaxTime}] and [{compacted[i].MinTime}, {compacted[i].MaxTime}]\n{context}");
            }
            var newestCompacted = compacted.Count == 0 ? long.MinValue : compacted.Max(f => f.MaxSequence);
            foreach (var level0 in partition.Where(f => f.Level == 0))
            {
                Assert.True(level0.MaxSequence > newestCompacted, $"level-0 file (sequence {level0.MaxSequence}) not newer than a compacted one ({newestCompacted})\n{context}");
            }
            Assert.All(partition, f => Assert.InRange(f.Level, 0, 2));
        }
    }
}
