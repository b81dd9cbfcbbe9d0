namespace Tsdb.ObjectStore;

internal static class RangeCheck
{
    /// <summary>The one message every store gives for a range that does not fit inside the object.</summary>
    public static void ThrowIfOutside(string key, long offset, int length, long size)
    {
        if (offset > size || length > size - offset)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset),
                $"range [{offset}, {offset + length}) is outside object '{key}' of {size} bytes");
        }
    }
}
