using System.Globalization;
using Tsdb.Core.Time;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Where files live in the object store: <c>dbs/{db}/{table}/{YYYY-MM-DD}/{sequence}-{file id}.parquet</c> for a
/// single server, and the same under <c>nodes/{node id}/</c> for the nodes of a cluster, so that each node's files
/// (and the leftovers of its crashed writes) are found under its own prefix. Database names are path-safe by their
/// rules; table names are percent-encoded so any name is one segment.
/// </summary>
public static class ObjectPaths
{
    public const string DataPrefix = "dbs/";

    public const string NodesPrefix = "nodes/";

    /// <summary>Where the files a node writes go: <c>dbs/</c> for a single server (null), <c>nodes/{id}/dbs/</c> in a cluster.</summary>
    public static string DataRoot(string? node) => node is null ? DataPrefix : $"{NodesPrefix}{node}/{DataPrefix}";

    public static string PartitionPrefix(string database, string table, int day) => PartitionPrefix(null, database, table, day);

    public static string PartitionPrefix(string? node, string database, string table, int day) =>
        $"{DataRoot(node)}{database}/{Uri.EscapeDataString(table)}/{PartitionDay.Format(day)}/";

    public static string File(string database, string table, int day, long sequence, long fileId) => File(null, database, table, day, sequence, fileId);

    public static string File(string? node, string database, string table, int day, long sequence, long fileId) =>
        PartitionPrefix(node, database, table, day) + string.Create(CultureInfo.InvariantCulture, $"{sequence:D20}-{fileId:D10}.parquet");
}
