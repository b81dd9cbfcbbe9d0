using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Tsdb.Server.Http;

/// <summary>
/// The web UI (<c>webui/</c> in the repository, bundled into <c>webui/dist</c> and embedded in this assembly): the page
/// at <c>/</c> and its assets under <c>/ui/</c>. They carry no data and are served without a token; the page signs in
/// with a token the user pastes and calls the same APIs as every other client, so nothing here widens access.
/// </summary>
internal static class WebUiEndpoints
{
    private const string ResourcePrefix = "webui/";

    private static readonly Lazy<IReadOnlyDictionary<string, Asset>> Assets = new(Load);

    /// <summary>One embedded file: its bytes, content type and a strong ETag (a hash of the bytes).</summary>
    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    public static Task Index(HttpContext context) => Serve(context, "index.html");

    public static Task File(HttpContext context)
    {
        var name = context.Request.RouteValues["file"] as string ?? "";
        return Assets.Value.ContainsKey(name) && name != "index.html"
            ? Serve(context, name)
            : HttpErrors.Write(context, ApiDialect.V3, StatusCodes.Status404NotFound, $"not found: {context.Request.Method} {context.Request.Path}");
    }

    private static Task Serve(HttpContext context, string name)
    {
        var asset = Assets.Value[name];
        var response = context.Response;
        var headers = response.Headers;
        headers.ETag = asset.ETag;
        // Revalidated on every load (a 304 is cheap), so a new binary's UI is picked up at once.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (name == "index.html")
        {
            // Everything comes from this server; uPlot positions its elements through the style property.
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            headers.XFrameOptions = "DENY";
        }
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Bytes, context.RequestAborted).AsTask();
    }

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(WebUiEndpoints).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }
            var name = resource[ResourcePrefix.Length..];
            var bytes = Read(assembly, resource);
            assets[name] = new Asset(bytes, ContentTypeOf(name), "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }
        if (!assets.ContainsKey("index.html"))
        {
            throw new InvalidOperationException("the web UI is missing from the build (no embedded webui/index.html)");
        }
        return assets;
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
