using System.Diagnostics.CodeAnalysis;

namespace Tsdb.Grpc;

/// <summary>Handlers by path (<c>/package.Service/Method</c>).</summary>
public sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, GrpcHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="handler"/> for <c>/{service}/{method}</c>.</summary>
    public GrpcServiceRegistry Add(string service, string method, GrpcHandler handler)
    {
        _handlers['/' + service + '/' + method] = handler;
        return this;
    }

    public bool TryGet(string path, [NotNullWhen(true)] out GrpcHandler? handler) => _handlers.TryGetValue(path, out handler);
}
