using System.Globalization;
using Tsdb.Core.Time;

namespace Tsdb.Storage.Persistence;

/// <summary>
/// Where files live in the object store: <c>dbs/{db}/{table}/{YYYY-MM-DD}/{sequence}-{file id}.parquet</c>. Database
/// names are path-safe by their rules; table names are percent-encoded so any name is one segment.
/// </summary>
public static class ObjectPaths
{
    public const string DataPrefix = "dbs/";

    public static string PartitionPrefix(string database, string table, int day) =>
        $"{DataPrefix}{database}/{Uri.EscapeDataString(table)}/{PartitionDay.Format(day)}/";

    public static string File(string database, string table, int day, long sequence, long fileId) =>
        PartitionPrefix(database, table, day) + string.Create(CultureInfo.InvariantCulture, $"{sequence:D20}-{fileId:D10}.parquet");
}
