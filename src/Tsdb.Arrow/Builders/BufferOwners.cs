using Tsdb.Arrow.Memory;

namespace Tsdb.Arrow.Builders;

/// <summary>Owns the pooled blocks behind one built array (and its dictionary) and returns them together.</summary>
internal sealed class BufferOwners(params PooledBuffer?[] blocks) : IDisposable
{
    public void Dispose()
    {
        foreach (var block in blocks)
        {
            block?.Dispose();
        }
    }

    public static IDisposable? Of(params PooledBuffer?[] blocks)
    {
        foreach (var b in blocks)
        {
            if (b is not null)
            {
                return new BufferOwners(blocks);
            }
        }
        return null;
    }
}
