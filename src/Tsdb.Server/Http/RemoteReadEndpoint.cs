using Microsoft.AspNetCore.Http;
using Tsdb.Prometheus;
using Tsdb.PromQL;
using Tsdb.Query;
using Tsdb.Query.Execution;

namespace Tsdb.Server.Http;

/// <summary>
/// <c>POST /api/v1/read?db=</c>: Prometheus remote read (SAMPLES and STREAMED_XOR_CHUNKS, see <see cref="RemoteReader"/>).
/// Errors are plain text as Prometheus' read handler writes them: 400 for a request that cannot be read or a query
/// over the sample limit or the query's memory limit (<c>--query-memory-limit</c>), 400 naming the database when it
/// does not exist, 503 with Retry-After when the process's memory budget has no room for it (it waits in line first,
/// as a query does). What it holds (its scans' decodes, the samples and series it keeps, a SAMPLES answer) is
/// reserved as a query's is, and given back when the answer is written.
/// </summary>
internal sealed class RemoteReadEndpoint(RemoteReader reader, ServerOptions options)
{
    public async Task Read(HttpContext context)
    {
        var request = context.Request;
        var database = PrometheusEndpoints.Database(request);
        if (!await AccessControl.DemandAsync(context, database, ApiDialect.Prometheus).ConfigureAwait(false))
        {
            return;
        }
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        if (encoding.Length > 0 && !encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
        {
            await Text(context, 415, $"unsupported content encoding '{encoding}': remote-read bodies are snappy (block format)").ConfigureAwait(false);
            return;
        }
        var pool = new QueryMemoryPool(options.QueryMemoryLimit, options.ProcessMemory);
        try
        {
            RemoteReadRequest read;
            using (var body = await RequestBody.ReadRawAsync(request, RemoteReadRequest.MaxDecodedBytes, context.RequestAborted, options.ProcessMemory).ConfigureAwait(false))
            {
                read = RemoteReadRequest.Decode(body.Memory.Span);
            }
            using var baseline = pool.Reserve("a new remote read");
            if (options.ProcessMemory is not null)
            {
                // As a query's baseline: what no reservation below counts (the frames, the answer's writing).
                await baseline.GrowAsync(Math.Min(options.QueryMemoryLimit / 4, 16L << 20), running: false, context.RequestAborted).ConfigureAwait(false);
            }
            using var memory = pool.Reserve("remote read (the samples and series it read, and its answer)");
            await reader.ReadAsync(database, read, (contentType, contentEncoding) =>
            {
                context.Response.ContentType = contentType;
                if (contentEncoding is not null)
                {
                    context.Response.Headers.ContentEncoding = contentEncoding;
                }
                return context.Response.Body;
            }, context.RequestAborted, memory).ConfigureAwait(false);
        }
        catch (RequestBody.TooLargeException e)
        {
            await Text(context, 413, e.Message).ConfigureAwait(false);
        }
        catch (RequestBody.NoMemoryException e)
        {
            context.Response.Headers.RetryAfter = "5";
            await Text(context, 503, e.Message).ConfigureAwait(false);
        }
        catch (QueryLimitException e) when (e.Limit == QueryLimit.ProcessMemory && !context.Response.HasStarted)
        {
            context.Response.Headers.RetryAfter = "5";
            await Text(context, 503, e.Message).ConfigureAwait(false);
        }
        catch (QueryLimitException e) when (!context.Response.HasStarted)
        {
            // As the sample limit: the read asks for more than one query may hold.
            await Text(context, 400, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RemoteReadException or SampleLimitExceededException or PromQLException && !context.Response.HasStarted)
        {
            await Text(context, 400, e.Message).ConfigureAwait(false);
        }
        catch (DatabaseNotFoundException e) when (!context.Response.HasStarted)
        {
            await Text(context, 400, $"database '{e.Database}' not found: name one with ?db=NAME in the remote_read url").ConfigureAwait(false);
        }
        catch (Tsdb.Query.Chunks.DataUnavailableException e) when (!context.Response.HasStarted)
        {
            context.Response.Headers.RetryAfter = "1";
            await Text(context, 503, e.Message).ConfigureAwait(false);
        }
        finally
        {
            pool.Close();
        }
    }

    private static Task Text(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n");
    }
}
