using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tsdb.Arrow.Ipc;

// usage: Tsdb.FlightBench --url http://127.0.0.1:8181 --db DB --sql SQL [--token T] [--runs 3] [--decode] [--pid PID] [--header NAME=VALUE]
// Sends DoGet with an InfluxDB 3 JSON ticket and reads the response as it arrives, counting the Arrow bytes
// (data_header + data_body of every FlightData). With --decode every message also goes through IpcDecoder.
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal))
    {
        options[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
    }
}
var url = new Uri(options["url"]);
var ticket = JsonSerializer.Serialize(new Dictionary<string, string> { ["database"] = options["db"], ["sql_query"] = options["sql"] });
var runs = int.Parse(options.GetValueOrDefault("runs") ?? "3", CultureInfo.InvariantCulture);
var decode = options.ContainsKey("decode");

using var http = new HttpClient(new SocketsHttpHandler { InitialHttp2StreamWindowSize = 16 << 20 })
{
    BaseAddress = url,
    DefaultRequestVersion = HttpVersion.Version20,
    DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    Timeout = TimeSpan.FromMinutes(10),
};

for (var run = 1; run <= runs; run++)
{
    var ticketBytes = Encoding.UTF8.GetBytes(ticket);
    // Ticket { bytes ticket = 1; } framed as one gRPC message.
    var message = new byte[2 + Varint(ticketBytes.Length).Length + ticketBytes.Length];
    message[0] = 0x0A;
    var len = Varint(ticketBytes.Length);
    len.CopyTo(message, 1);
    ticketBytes.CopyTo(message, 1 + len.Length);
    var payloadLength = 1 + len.Length + ticketBytes.Length;
    var framed = new byte[5 + payloadLength];
    BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)payloadLength);
    message.AsSpan(0, payloadLength).CopyTo(framed.AsSpan(5));

    using var request = new HttpRequestMessage(HttpMethod.Post, "/arrow.flight.protocol.FlightService/DoGet")
    {
        Content = new ByteArrayContent(framed),
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
    request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
    request.Headers.TryAddWithoutValidation("te", "trailers");
    if (options.GetValueOrDefault("token") is { } token)
    {
        request.Headers.TryAddWithoutValidation("authorization", "Bearer " + token);
    }
    if (options.GetValueOrDefault("header") is { } extra && extra.Split('=', 2) is [var name, var value])
    {
        request.Headers.TryAddWithoutValidation(name, value);
    }
    var clock = Stopwatch.StartNew();
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    await using var stream = await response.Content.ReadAsStreamAsync();
    long arrowBytes = 0, wireBytes = 0, messages = 0, rows = 0;
    var decoder = new IpcDecoder();
    var prefix = new byte[5];
    TimeSpan? firstMessage = null;
    var buffer = new byte[4 << 20];
    while (await ReadExactly(stream, prefix))
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(prefix.AsSpan(1));
        if (buffer.Length < length)
        {
            buffer = new byte[length];
        }
        if (!await ReadExactly(stream, buffer.AsMemory(0, length)))
        {
            throw new InvalidOperationException("the response ended inside a message");
        }
        firstMessage ??= clock.Elapsed;
        wireBytes += 5 + length;
        messages++;
        var (header, body) = FlightData(buffer.AsMemory(0, length));
        arrowBytes += header.Length + body.Length;
        if (decode && decoder.Decode(header, body) is { } batch)
        {
            rows += batch.Length;
        }
    }
    var seconds = clock.Elapsed.TotalSeconds;
    if (options.ContainsKey("verbose"))
    {
        Console.WriteLine($"{(int)response.StatusCode} HTTP/{response.Version}: {response.Headers} | trailers: {response.TrailingHeaders}");
    }
    var status = response.TrailingHeaders.TryGetValues("grpc-status", out var s) ? s.First()
        : response.Headers.TryGetValues("grpc-status", out var h) ? h.First() : "?";
    var message2 = response.TrailingHeaders.TryGetValues("grpc-message", out var m) ? m.First()
        : response.Headers.TryGetValues("grpc-message", out var hm) ? hm.First() : "";
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"run {run}: grpc-status {status} {message2} | {messages:N0} messages, {arrowBytes / 1e6:F1} MB Arrow ({wireBytes / 1e6:F1} MB on the wire){(decode ? $", {rows:N0} rows decoded" : "")} in {seconds:F2} s = {arrowBytes / 1e6 / seconds:F0} MB/s end to end; first message after {firstMessage?.TotalSeconds ?? 0:F2} s (the engine materialising the result), then {arrowBytes / 1e6 / Math.Max(seconds - (firstMessage?.TotalSeconds ?? 0), 1e-9):F0} MB/s while streaming"));
}
if (options.GetValueOrDefault("pid") is { } pid && File.Exists($"/proc/{pid}/status"))
{
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    Console.WriteLine($"server peak RSS (VmHWM): {line?["VmHWM:".Length..].Trim()}");
}

static byte[] Varint(int value)
{
    var bytes = new List<byte>();
    var v = (uint)value;
    while (v >= 0x80)
    {
        bytes.Add((byte)(v | 0x80));
        v >>= 7;
    }
    bytes.Add((byte)v);
    return [.. bytes];
}

static async Task<bool> ReadExactly(Stream stream, Memory<byte> destination)
{
    var read = 0;
    while (read < destination.Length)
    {
        var n = await stream.ReadAsync(destination[read..]);
        if (n == 0)
        {
            return read == 0 ? false : throw new EndOfStreamException();
        }
        read += n;
    }
    return true;
}

// FlightData: field 2 data_header, field 1000 data_body (both length-delimited); other fields skipped.
static (ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Body) FlightData(ReadOnlyMemory<byte> message)
{
    ReadOnlyMemory<byte> header = default, body = default;
    var span = message.Span;
    var pos = 0;
    while (pos < span.Length)
    {
        var tag = ReadVarint(span, ref pos);
        var wire = (int)(tag & 7);
        if (wire != 2)
        {
            throw new InvalidDataException($"unexpected wire type {wire}");
        }
        var length = (int)ReadVarint(span, ref pos);
        switch (tag >> 3)
        {
            case 2:
                header = message.Slice(pos, length);
                break;
            case 1000:
                body = message.Slice(pos, length);
                break;
        }
        pos += length;
    }
    return (header, body);
}

static ulong ReadVarint(ReadOnlySpan<byte> span, ref int pos)
{
    ulong value = 0;
    var shift = 0;
    while (true)
    {
        var b = span[pos++];
        value |= (ulong)(b & 0x7F) << shift;
        if (b < 0x80)
        {
            return value;
        }
        shift += 7;
    }
}
