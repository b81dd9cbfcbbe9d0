using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Tsdb.Cli.Writing;

/// <summary>
/// Progress of <c>tsdb write</c> on stderr: a bar per input with rows/s and the time left when stderr is a terminal,
/// else a plain line every few seconds (logs and CI output stay readable).
/// </summary>
internal sealed class WriteProgress
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);
    private readonly ProgressContext? _context;
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private ProgressTask? _task;
    private WriteSource? _source;
    private long _rows;

    private WriteProgress(ProgressContext? context) => _context = context;

    public static bool Interactive => !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>Runs <paramref name="body"/> with a progress display (bars on a terminal, else plain lines, or nothing when quiet).</summary>
    public static async Task<T> RunAsync<T>(bool quiet, Func<WriteProgress, Task<T>> body)
    {
        if (quiet || !Interactive)
        {
            return await body(new WriteProgress(null) { Quiet = quiet }).ConfigureAwait(false);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RowsColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(context => body(new WriteProgress(context))).ConfigureAwait(false);
    }

    private bool Quiet { get; init; }

    public void Start(WriteSource source)
    {
        _source = source;
        _rows = 0;
        _elapsed.Restart();
        if (_context is not null)
        {
            _task = _context.AddTask(Markup.Escape(source.Name), maxValue: source.Total > 0 ? source.Total : 1);
            _task.IsIndeterminate = source.Total < 0;
            _task.State.Update<long>("rows", _ => 0);
        }
    }

    public void Advance(long rows)
    {
        _rows += rows;
        if (_task is not null)
        {
            _task.State.Update<long>("rows", _ => _rows);
            if (_source!.Total > 0)
            {
                _task.Value = Math.Min(_source.Done, _source.Total);
            }
        }
        else if (!Quiet && _sinceLast.Elapsed >= PlainEvery)
        {
            _sinceLast.Restart();
            var percent = _source!.Total > 0 ? $" ({100.0 * _source.Done / _source.Total:0}%)" : "";
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_source.Name}: {_rows:N0} rows{percent}, {Rate(_rows, _elapsed.Elapsed)} rows/s"));
        }
    }

    public void Finish()
    {
        if (_task is not null)
        {
            _task.IsIndeterminate = false;
            _task.Value = _task.MaxValue;
            _task.StopTask();
        }
    }

    public static string Rate(long rows, TimeSpan elapsed) =>
        (elapsed.TotalSeconds > 0 ? rows / elapsed.TotalSeconds : 0).ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Rows written so far and rows per second, from the task's "rows" state.</summary>
    private sealed class RowsColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            var rows = task.State.Get<long>("rows");
            var elapsed = task.ElapsedTime ?? TimeSpan.Zero;
            return new Text(string.Create(CultureInfo.InvariantCulture, $"{rows:N0} rows, {Rate(rows, elapsed)} rows/s"));
        }
    }
}
