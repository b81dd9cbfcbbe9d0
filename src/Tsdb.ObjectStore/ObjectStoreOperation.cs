namespace Tsdb.ObjectStore;

/// <summary>The operations of <see cref="IObjectStore"/>, for metrics and fault injection.</summary>
public enum ObjectStoreOperation
{
    Put,
    PutIfAbsent,
    Get,
    GetRange,
    Head,
    List,
    Delete,

    /// <summary><see cref="IObjectWriter.WritePartAsync"/>: one part of a streamed object.</summary>
    WritePart,

    /// <summary><see cref="IObjectWriter.CompleteAsync"/>: the last part and the publication of a streamed object.</summary>
    CompleteWrite,

    /// <summary><see cref="IObjectWriter.AbortAsync"/>, or disposing a writer that did not complete.</summary>
    AbortWrite,
}
