namespace Tsdb.ObjectStore;

/// <summary>A byte range of an object, read into <see cref="Destination"/> (its length is the range's length).</summary>
public readonly record struct ObjectRange(long Offset, Memory<byte> Destination);
