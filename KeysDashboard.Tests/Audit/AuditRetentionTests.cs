using KeysDashboard.Audit;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Audit;

/// <summary>Retention trims only an old, sealed prefix, records it first, and verification accepts exactly that.</summary>
public sealed class AuditRetentionTests : IAsyncLifetime
{
    private readonly AppFactory app = new();
    private DateTime cutoff;

    public async ValueTask InitializeAsync()
    {
        await app.CreateKeysAsync(4, "old");
        await app.Services.SealAsync();
        await app.CreateKeysAsync(3, "new");
        await app.Services.SealAsync();
        // Rows from the first new one on are young enough to keep.
        cutoff = (await app.RowsAsync()).Single(r => r.Seq == 5).At;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private Task<int> TrimAsync() => app.Services.GetRequiredService<AuditRetention>().TrimOlderThanAsync(cutoff);

    [Fact]
    public async Task A_trim_records_count_and_last_row_before_deleting_and_the_rest_still_verifies()
    {
        var before = await app.RowsAsync();
        var lastOld = before.Single(r => r.Seq == 4);

        Assert.Equal(4, await TrimAsync());

        var rows = await app.RowsAsync();
        Assert.Equal([5, 6, 7, 8], rows.Select(r => r.Seq!.Value));
        var trim = rows.Single(r => r.Action == AuditActions.AuditTrimmed);
        Assert.Equal(("system", "audit-retention"), (trim.ActorKind, trim.ActorId));
        Assert.Equal((4L, lastOld.Hash!), AuditRetention.ReadTrim(trim.Details));
        Assert.Contains("\"count\":4", trim.Details);

        var result = await app.Services.VerifyAsync();
        Assert.True(result.Intact, result.Describe());
        Assert.Equal((5L, 4L), (result.FirstSeq!.Value, result.TrimmedThroughSeq!.Value));
    }

    [Fact]
    public async Task A_second_trim_that_removes_the_first_trim_record_is_still_accounted_for()
    {
        await TrimAsync();
        await app.CreateKeysAsync(2, "newer");
        await app.Services.SealAsync();
        cutoff = (await app.RowsAsync()).Single(r => r.KeyName == "newer-0").At;

        await TrimAsync();

        var rows = await app.RowsAsync();
        Assert.Single(rows, r => r.Action == AuditActions.AuditTrimmed);
        var result = await app.Services.VerifyAsync();
        Assert.True(result.Intact, result.Describe());
    }

    [Fact]
    public async Task Deleting_the_first_row_left_after_a_trim_is_a_break()
    {
        await TrimAsync();
        await app.SqlAsync("DELETE FROM AuditEntries WHERE Seq = 5");

        var result = await app.Services.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(5, result.BrokenSeq);
        Assert.Contains("no audit.trimmed row", result.Problem);
    }

    [Fact]
    public async Task Editing_the_trim_record_or_a_row_after_the_trim_is_a_break()
    {
        await TrimAsync();
        await app.SqlAsync("UPDATE AuditEntries SET Reason = 'edited' WHERE Seq = 6");

        var edited = await app.Services.VerifyAsync();

        Assert.False(edited.Intact);
        Assert.Equal(6, edited.BrokenSeq);

        await app.SqlAsync("UPDATE AuditEntries SET Details = replace(Details, '\"last_seq\":4', '\"last_seq\":3') WHERE Action = 'audit.trimmed'");
        var forgedTrim = await app.Services.VerifyAsync();
        Assert.False(forgedTrim.Intact);
        Assert.Equal(4, forgedTrim.BrokenSeq);
    }

    [Fact]
    public async Task Nothing_old_enough_means_nothing_trimmed_and_nothing_recorded()
    {
        cutoff = DateTime.UnixEpoch;

        Assert.Equal(0, await TrimAsync());

        Assert.DoesNotContain(await app.RowsAsync(), r => r.Action == AuditActions.AuditTrimmed);
    }

    [Fact]
    public async Task With_retention_0_the_service_keeps_everything()
    {
        Assert.Equal(0, await app.Services.GetRequiredService<AuditRetention>().TrimAsync());
        Assert.Equal(7, (await app.RowsAsync()).Count);
    }

    [Fact]
    public async Task With_retention_days_set_rows_older_than_that_go()
    {
        await using var trimming = new AppFactory(new Dictionary<string, string?> { ["Audit:RetentionDays"] = "30" });
        await trimming.CreateKeysAsync(3);
        await trimming.Services.SealAsync();
        await trimming.SqlAsync("UPDATE AuditEntries SET At = '2020-01-01 00:00:00' WHERE Seq <= 2");
        await trimming.RehashFromAsync(1);

        Assert.Equal(2, await trimming.Services.GetRequiredService<AuditRetention>().TrimAsync());

        Assert.Equal([3, 4], (await trimming.RowsAsync()).Select(r => r.Seq!.Value));
        Assert.True((await trimming.Services.VerifyAsync()).Intact);
    }
}
