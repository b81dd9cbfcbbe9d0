namespace Tsdb.ObjectStore;

public sealed partial class InMemoryObjectStore
{
    public Task<IObjectWriter> OpenWriteAsync(string key, CancellationToken ct = default)
    {
        ObjectKey.Validate(key);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<IObjectWriter>(new Writer(this, key));
    }

    /// <summary>Copies of the parts, joined into one object at completion: the store's objects are memory anyway.</summary>
    private sealed class Writer(InMemoryObjectStore store, string key) : ObjectWriterBase(key, minimumPartSize: 1)
    {
        private readonly List<byte[]> _parts = [];

        protected override Task WritePartCoreAsync(ReadOnlyMemory<byte> part, long offset, CancellationToken ct)
        {
            ThrowIfTooLarge(offset + part.Length);
            _parts.Add(part.ToArray());
            return Task.CompletedTask;
        }

        protected override Task CompleteCoreAsync(ReadOnlyMemory<byte> lastPart, long offset, CancellationToken ct)
        {
            ThrowIfTooLarge(offset + lastPart.Length);
            var data = GC.AllocateUninitializedArray<byte>((int)(offset + lastPart.Length));
            var at = 0;
            foreach (var part in _parts)
            {
                part.CopyTo(data, at);
                at += part.Length;
            }
            lastPart.Span.CopyTo(data.AsSpan(at));
            _parts.Clear();
            store._objects[Key] = store.NewObject(data);
            return Task.CompletedTask;
        }

        protected override Task AbortCoreAsync(CancellationToken ct)
        {
            _parts.Clear();
            return Task.CompletedTask;
        }

        private void ThrowIfTooLarge(long size)
        {
            if (size > Array.MaxLength)
            {
                throw new ObjectStoreException($"object '{Key}' would exceed {Array.MaxLength} bytes, the most the in-memory store holds", isTransient: false);
            }
        }
    }
}
