using System.Runtime.InteropServices;

namespace Tsdb.ObjectStore;

public sealed partial class LocalFileObjectStore
{
    private static partial class Native
    {
        private const int EEXIST = 17; // the same on Linux and macOS

        /// <returns>true if the link was created, false if <paramref name="newPath"/> exists.</returns>
        public static bool Link(string existingPath, string newPath)
        {
            if (LinkNative(existingPath, newPath) == 0)
            {
                return true;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EEXIST)
            {
                return false;
            }
            // No silent fallback to a non-atomic create: a file system without hard links cannot offer put-if-absent.
            throw new IOException($"link('{existingPath}', '{newPath}') failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }

        [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int LinkNative(string existingPath, string newPath);
    }
}
