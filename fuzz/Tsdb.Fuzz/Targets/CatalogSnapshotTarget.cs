using Tsdb.Catalog;

namespace Tsdb.Fuzz.Targets;

/// <summary>
/// Contract: a catalog checkpoint (JSON) read at start-up through <see cref="CatalogSerializer.Deserialize"/>. Only
/// <see cref="InvalidDataException"/> may come out (the store then falls back to an older checkpoint and the log).
/// </summary>
internal sealed class CatalogSnapshotTarget : FuzzTarget
{
    public override string Name => "catalog-snapshot";

    public override string Contract => "CatalogSerializer.Deserialize: only InvalidDataException";

    public override void Run(byte[] input)
    {
        var snapshot = CatalogSerializer.Deserialize(input, "fuzz");
        _ = CatalogSerializer.Serialize(snapshot);
    }

    public override bool IsExpected(Exception exception) => exception is InvalidDataException;
}
