namespace Tsdb.Core.IO;

/// <summary>Tells a full disk from other I/O errors: a full disk passes once space is freed, other errors may not.</summary>
public static class DiskErrors
{
    // Linux errno values; .NET puts the raw errno in IOException.HResult on Unix.
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;

    // Windows: ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL as HRESULTs.
    private const int HandleDiskFull = unchecked((int)0x80070027);
    private const int DiskFull = unchecked((int)0x80070070);

    /// <summary>True when <paramref name="e"/>, or an exception it wraps, is "no space left on device" or "disk quota exceeded".</summary>
    public static bool IsOutOfSpace(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is IOException && e.HResult is ENOSPC or EDQUOT or HandleDiskFull or DiskFull)
            {
                return true;
            }
        }
        return false;
    }
}
