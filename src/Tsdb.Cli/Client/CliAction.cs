namespace Tsdb.Cli.Client;

/// <summary>Runs a client command's body and turns the failures a user can meet into one "error: …" line and an exit code.</summary>
internal static class CliAction
{
    public static async Task<int> Run(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("interrupted").ConfigureAwait(false);
            return 130;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (HttpRequestException e)
        {
            // The connection broke while an answer was being read.
            await Console.Error.WriteLineAsync("error: the connection to the server failed: " + e.Message).ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("TSDB_DEBUG") is not ("1" or "true"))
        {
            // A bug, or a failure nobody foresaw: one line for the user; TSDB_DEBUG=1 lets the stack trace through.
            await Console.Error.WriteLineAsync($"error: unexpected {e.GetType().Name}: {e.Message} (TSDB_DEBUG=1 shows the stack trace)").ConfigureAwait(false);
            return 70;
        }
    }
}
