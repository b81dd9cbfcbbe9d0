namespace Tsdb.Arrow.Types;

internal static class MetadataLookup
{
    public static string? Find(IReadOnlyList<KeyValuePair<string, string>> metadata, string key)
    {
        for (var i = 0; i < metadata.Count; i++)
        {
            if (string.Equals(metadata[i].Key, key, StringComparison.Ordinal))
            {
                return metadata[i].Value;
            }
        }
        return null;
    }

    public static bool AreEqual(IReadOnlyList<KeyValuePair<string, string>> a, IReadOnlyList<KeyValuePair<string, string>> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }
        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !string.Equals(a[i].Value, b[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }
}
