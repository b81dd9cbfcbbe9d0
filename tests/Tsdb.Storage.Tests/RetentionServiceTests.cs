namespace Tsdb.Storage.Tests;

/// <summary>Retention taking expired rows out of storage: whole files, partly expired files, buffered rows.</summary>
#pragma warning disable CA1001 // disposed in DisposeAsync (xunit's IAsyncLifetime)
public sealed class RetentionServiceTests : IAsyncLifetime
{
    private const long Hour = 3_600_000_000_000;
    private const long Now = 2 * 24 * Hour;
    private StorageHarness _s = null!;

    public Task InitializeAsync()
    {
        _s = new StorageHarness();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task Expired_files_are_dropped_partly_expired_ones_rewritten_and_buffered_rows_dropped()
    {
        await _s.Write($"t,h=a v=1 {Now - (30 * Hour)}\nt,h=a v=2 {Now - (25 * Hour)}");   // day 0: expires whole
        await _s.Write($"t,h=a v=3 {Now - (3 * Hour)}\nt,h=b v=4 {Now - (Hour / 2)}");     // day 1: partly
        await _s.Persist.PersistAsync();
        await _s.Write($"t,h=c v=5 {Now - (2 * Hour)}\nt,h=c v=6 {Now - (Hour / 4)}");     // buffered, partly
        await _s.Write($"t,h=d v=7 {Now - (5 * Hour)}");                                   // buffered, whole
        await _s.SetRetention(TimeSpan.FromHours(1));

        var result = await _s.Retention.ApplyAsync(force: true);
        Assert.Equal(1, result.FilesDropped);
        Assert.Equal(1, result.FilesRewritten);
        Assert.Equal(5, result.RowsRemoved);   // two of the day 0 file, one of day 1's, one of each buffered chunk
        Assert.Equal([Now - (Hour / 2)], await _s.TimesInFiles());
        var rewritten = _s.Catalog.Current.Files.Single();
        Assert.Equal((Now - (Hour / 2), Now - (Hour / 2), 1L), (rewritten.MinTime, rewritten.MaxTime, rewritten.RowCount));
        Assert.Equal(1, _s.Buffer.RowCount);
        Assert.Equal(2, _s.Catalog.Current.PendingDeletes.Count);   // the dropped file and the rewritten one's original
        Assert.Equal([$"{Now - (Hour / 2)}|b|4", $"{Now - (Hour / 4)}|c|6"], await _s.Read());

        // What is left persists and reads the same.
        await _s.Persist.PersistAsync();
        Assert.Equal([Now - (Hour / 2), Now - (Hour / 4)], await _s.TimesInFiles());
    }

    [Fact]
    public async Task The_background_pass_rewrites_a_file_only_once_half_of_it_has_expired()
    {
        // One day 1 file: rows at -8h, -4h and -10m.
        await _s.Write($"t v=1 {Now - (8 * Hour)}\nt v=2 {Now - (4 * Hour)}\nt v=3 {Now - (Hour / 6)}");
        await _s.Persist.PersistAsync();
        await _s.SetRetention(TimeSpan.FromHours(7));
        // An hour of the file's range has expired: the row is invisible but stays in the file for now.
        Assert.Equal(0, (await _s.Retention.ApplyAsync()).FilesRewritten);
        Assert.Equal(3, (await _s.TimesInFiles()).Count);
        Assert.Equal(2, (await _s.Read()).Count);
        // Over half of it: rewritten.
        _s.Time.Now += TimeSpan.FromHours(3);
        Assert.Equal(1, (await _s.Retention.ApplyAsync()).FilesRewritten);
        Assert.Equal([Now - (4 * Hour), Now - (Hour / 6)], await _s.TimesInFiles());
    }

    [Fact]
    public async Task A_table_retention_is_kept_in_the_catalog_and_survives_a_reload()
    {
        await _s.Write("t v=1 1\nu v=2 2");
        await _s.SetRetention(TimeSpan.FromDays(30), "t", TimeSpan.FromMinutes(90));
        var reloaded = new Catalog.Catalog(new Catalog.ObjectStoreCatalogStore(_s.Store)).Current.FindDatabase("db")!;
        Assert.Equal(TimeSpan.FromMinutes(90), reloaded.FindTable("t")!.RetentionPeriod);
        Assert.Null(reloaded.FindTable("u")!.RetentionPeriod);
        Assert.Equal(TimeSpan.FromDays(30), reloaded.RetentionOf("u"));
        // A column added later keeps the table's period.
        await _s.Write($"t v=1,w=2 {Now}");
        Assert.Equal(TimeSpan.FromMinutes(90), _s.Catalog.Current.FindDatabase("db")!.FindTable("t")!.RetentionPeriod);
        Assert.Equal(Now - (90 * 60_000_000_000L), _s.Catalog.Current.FindDatabase("db")!.RetentionCutoff("t", _s.Time.Now));
    }

    [Fact]
    public async Task Only_the_tables_whose_retention_expired_them_lose_rows()
    {
        await _s.Write($"t v=1 {Now - (3 * Hour)}\nu v=2 {Now - (3 * Hour)}\nw v=3 {Now - (3 * Hour)}", db: "db");
        await _s.Write($"t v=4 {Now - (3 * Hour)}", db: "other");
        await _s.Persist.PersistAsync();
        // The database keeps 1 day; t keeps 1 hour; u follows the database; another database has no retention.
        await _s.SetRetention(TimeSpan.FromDays(1), "t", TimeSpan.FromHours(1));
        var result = await _s.Retention.ApplyAsync();
        Assert.Equal(1, result.FilesDropped);
        Assert.Equal(["u", "w"], _s.Catalog.Current.FilesOf("db", "u").Concat(_s.Catalog.Current.FilesOf("db", "w")).Select(f => f.Table).Order());
        Assert.Single(_s.Catalog.Current.FilesOf("other", "t"));

        // Clearing the table's own period hands it back to the database's; a table may keep longer than its database.
        await _s.Catalog.UpdateAsync(e => e.SetTableRetention("db", "w", TimeSpan.FromDays(7)));
        await _s.SetRetention(TimeSpan.FromHours(2));
        await _s.Retention.ApplyAsync();
        Assert.Empty(_s.Catalog.Current.FilesOf("db", "u"));
        Assert.Single(_s.Catalog.Current.FilesOf("db", "w"));
    }
}
#pragma warning restore CA1001
