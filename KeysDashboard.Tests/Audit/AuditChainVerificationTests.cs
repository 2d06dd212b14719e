using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Audit;

/// <summary>The hash chain holds for honest writes and names the first broken seq for each kind of tampering.</summary>
public sealed class AuditChainVerificationTests : IAsyncLifetime
{
    private readonly AppFactory app = new();

    public async ValueTask InitializeAsync()
    {
        await app.CreateKeysAsync(6);
        await app.Services.SealAsync();
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task An_untouched_log_is_intact_and_the_check_is_itself_recorded()
    {
        var result = await app.Services.VerifyAsync();

        Assert.True(result.Intact, result.Describe());
        Assert.Equal(1, result.FirstSeq);
        Assert.Equal(6, result.HeadSeq);
        Assert.Equal(6, result.Rows);
        var rows = await app.RowsAsync();
        var verified = rows[^1];
        Assert.Equal((AuditActions.AuditVerified, AuditOutcomes.Success, "cli"), (verified.Action, verified.Outcome, verified.ActorKind));
        Assert.Contains("\"head_seq\":6", verified.Details);
        Assert.Equal(7, verified.Seq);

        // A second check includes the first one's row.
        var again = await app.Services.VerifyAsync();
        Assert.True(again.Intact, again.Describe());
        Assert.Equal(7, again.HeadSeq);
    }

    [Fact]
    public async Task An_edited_row_breaks_the_chain_at_that_row()
    {
        await app.SqlAsync("UPDATE AuditEntries SET KeyName = 'innocent' WHERE Seq = 3");

        var result = await app.Services.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(3, result.BrokenSeq);
        Assert.Contains("changed", result.Problem);
        // The failed check is recorded too, as a failure with the reason.
        var last = (await app.RowsAsync())[^1];
        Assert.Equal((AuditActions.AuditVerified, AuditOutcomes.Failure), (last.Action, last.Outcome));
        Assert.Contains("seq 3", last.Reason);
    }

    [Fact]
    public async Task An_edited_row_with_its_own_hash_recomputed_breaks_the_link_to_the_next()
    {
        var row = (await app.RowsAsync()).Single(r => r.Seq == 2);
        var forged = new AuditEntry
        {
            Id = row.Id, Seq = row.Seq, At = row.At, ActorKind = row.ActorKind, ActorId = row.ActorId, ActorName = row.ActorName,
            Action = row.Action, Outcome = row.Outcome, KeyId = row.KeyId, KeyName = "renamed", Details = row.Details,
            ClientIp = row.ClientIp, RequestId = row.RequestId, PreviousHash = row.PreviousHash,
        };
        var hash = AuditHash.Compute(forged);
        await app.SqlAsync($"UPDATE AuditEntries SET KeyName = 'renamed', Hash = '{hash}' WHERE Seq = 2");

        var result = await app.Services.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(3, result.BrokenSeq);
    }

    [Fact]
    public async Task A_deleted_middle_row_is_named_as_missing()
    {
        await app.SqlAsync("DELETE FROM AuditEntries WHERE Seq = 4");

        var result = await app.Services.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(4, result.BrokenSeq);
        Assert.Contains("row 4 is missing", result.Problem);
    }

    [Fact]
    public async Task A_deleted_newest_row_is_found_even_after_a_later_row_was_sealed_over_it()
    {
        await app.SqlAsync("DELETE FROM AuditEntries WHERE Seq = 6");
        // The next row is sealed as seq 6 again, linked to seq 5: seqs and hashes alone look perfect.
        await app.CreateKeysAsync(1, "later");
        await app.Services.SealAsync();
        var rows = await app.RowsAsync();
        Assert.Equal([1, 2, 3, 4, 5, 6], rows.Select(r => r.Seq!.Value));

        var result = await app.Services.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(6, result.BrokenSeq);
        Assert.Contains("deleted", result.Problem);
    }

    [Fact]
    public async Task A_stretch_rewritten_with_fresh_hashes_is_caught_by_the_head_an_earlier_verification_recorded()
    {
        Assert.True((await app.Services.VerifyAsync()).Intact);
        // Row 5 edited and rows 5 to 7 re-hashed: every link holds again, but the verification at seq 7 saw another row 6.
        await app.SqlAsync("UPDATE AuditEntries SET KeyName = 'rewritten' WHERE Seq = 5");
        await app.RehashFromAsync(5);

        var result = await app.Services.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(6, result.BrokenSeq);
        Assert.Contains("verification recorded at seq 7", result.Problem);
    }

    [Fact]
    public async Task Rows_swapped_in_place_break_the_chain()
    {
        var rows = await app.RowsAsync();
        var (a, b) = (rows.Single(r => r.Seq == 2), rows.Single(r => r.Seq == 3));
        await app.SqlAsync($"UPDATE AuditEntries SET Seq = -1 WHERE Id = {a.Id}");
        await app.SqlAsync($"UPDATE AuditEntries SET Seq = 2 WHERE Id = {b.Id}");
        await app.SqlAsync($"UPDATE AuditEntries SET Seq = 3 WHERE Id = {a.Id}");

        var result = await app.Services.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(2, result.BrokenSeq);
    }

    [Fact]
    public async Task A_deleted_first_row_without_a_trim_record_is_a_break()
    {
        await app.SqlAsync("DELETE FROM AuditEntries WHERE Seq <= 2");

        var result = await app.Services.VerifyAsync();

        Assert.False(result.Intact);
        Assert.Equal(1, result.BrokenSeq);
        Assert.Contains("no audit.trimmed row", result.Problem);
    }

    [Fact]
    public async Task Verifying_needs_audit_read_and_a_refusal_is_audited()
    {
        var outsider = Actor.System("outsider", "outsider", Permission.KeysView);

        await Assert.ThrowsAsync<AccessDeniedException>(() => app.Services.VerifyAsync(outsider));

        var rows = await app.RowsAsync();
        var refused = rows[^1];
        Assert.Equal((AuditActions.AccessRefused, AuditOutcomes.Refused, "outsider"), (refused.Action, refused.Outcome, refused.ActorId));
        Assert.Contains("audit.read", refused.Details);
        Assert.DoesNotContain(rows, r => r.Action == AuditActions.AuditVerified);
    }
}

/// <summary>Rows written at the same moment by many writers are sealed into one gapless chain.</summary>
public sealed class AuditSealingTests
{
    [Fact]
    public async Task Fifty_parallel_key_creations_are_sealed_as_seq_1_to_N_without_a_gap()
    {
        await using var app = new AppFactory();
        var services = app.Services;

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<KeyService>().CreateAsync(new KeyDraft($"parallel-{i}", false, [], null), ApiFactory.Admin);
        })));
        // The background sealer races this one; both take the same gate and the database's write lock.
        await Task.WhenAll(services.SealAsync(), services.SealAsync());

        var rows = await app.RowsAsync();
        Assert.Equal(50, rows.Count(r => r.Action == AuditActions.KeyCreated));
        Assert.Equal(Enumerable.Range(1, rows.Count).Select(i => (long?)i), rows.OrderBy(r => r.Seq).Select(r => r.Seq));
        // Sealed in the order written.
        Assert.Equal(rows.OrderBy(r => r.Id).Select(r => r.Id), rows.OrderBy(r => r.Seq).Select(r => r.Id));
        var result = await services.VerifyAsync();
        Assert.True(result.Intact, result.Describe());
        Assert.Equal(rows.Count, result.HeadSeq);
    }
}
