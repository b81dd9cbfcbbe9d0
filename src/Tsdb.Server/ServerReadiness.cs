namespace Tsdb.Server;

/// <summary>
/// What <c>/-/ready</c> answers: ready once the catalog is loaded, the WAL replayed and the port accepting, and no
/// longer once shutdown has begun.
/// </summary>
public sealed class ServerReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void SetReady(bool ready) => _ready = ready;
}
