using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace KeysDashboard.Tests.Keys;

/// <summary>The key service's support-desk operations: the leaked-secret lookup, disabling with a reason, bulk changes.</summary>
public sealed class SupportOperationsTests : IAsyncLifetime
{
    private static readonly Actor Admin = Actor.Person("admin-1", "owner@example.com", AccessTable.AdminRole, "192.0.2.10");
    private static readonly Actor Support = Actor.Person("support-1", "desk@example.com", AccessTable.SupportRole, "192.0.2.20");
    private static readonly Actor Auditor = Actor.Person("auditor-1", "audit@example.com", AccessTable.AuditorRole, "192.0.2.30");
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    private readonly AppFactory app = new();
    private IServiceProvider services = default!;

    public ValueTask InitializeAsync()
    {
        services = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock))).Services;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task<T> Keys<T>(Func<KeyService, Task<T>> use)
    {
        await using var scope = services.CreateAsyncScope();
        return await use(scope.ServiceProvider.GetRequiredService<KeyService>());
    }

    private async Task<T> Db<T>(Func<ApplicationDbContext, Task<T>> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ApplicationDbContext>());
    }

    private Task<IssuedKey> CreateAsync(string name) => Keys(k => k.CreateAsync(new KeyDraft(name, false, [], null, ["read"]), Admin));

    [Fact]
    public async Task A_pasted_secret_is_told_apart_and_found_by_hash_also_during_a_grace_period_and_never_stored()
    {
        var issued = await CreateAsync("Billing");
        var rotated = await Keys(k => k.RegenerateAsync(issued.Key.Id, TimeSpan.FromHours(1), Admin));

        var current = await Keys(k => k.LookupLeakedAsync($"  Bearer {rotated!.Secret} ", Support));
        Assert.Equal((LeakLookupOutcome.Found, issued.Key.Id, false), (current.Outcome, current.Key?.Id, current.PreviousSecret));
        var old = await Keys(k => k.LookupLeakedAsync(issued.Secret, Support));
        Assert.Equal((LeakLookupOutcome.Found, issued.Key.Id, true), (old.Outcome, old.Key?.Id, old.PreviousSecret));

        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(LeakLookupOutcome.NotFound, (await Keys(k => k.LookupLeakedAsync(issued.Secret, Support))).Outcome);
        var typo = rotated!.Secret[..8] + (rotated.Secret[8] == 'x' ? 'y' : 'x') + rotated.Secret[9..];
        Assert.Equal(LeakLookupOutcome.Mistyped, (await Keys(k => k.LookupLeakedAsync(typo, Support))).Outcome);
        Assert.Equal(LeakLookupOutcome.NotAKey, (await Keys(k => k.LookupLeakedAsync("ghp_notoursatall", Support))).Outcome);

        var rows = await Db(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.KeyLookedUp).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal(("support-1", "192.0.2.20"), (r.ActorId, r.ClientIp)));
        Assert.Contains("\"previous_secret\":true", rows[1].Details);
        var everything = string.Join("\n", (await Db(db => db.AuditEntries.AsNoTracking().ToListAsync())).Select(r => $"{r.Details} {r.Reason} {r.TargetName}"));
        Assert.DoesNotContain(issued.Secret, everything);
        Assert.DoesNotContain(rotated.Secret, everything);
        Assert.DoesNotContain(typo, everything);
    }

    [Fact]
    public async Task Support_must_say_why_a_key_is_disabled_and_the_reason_is_audited()
    {
        var issued = await CreateAsync("Leaky");

        var silent = await Assert.ThrowsAsync<KeyValidationException>(() => Keys(k => k.SetEnabledAsync(issued.Key.Id, false, Support)));
        Assert.Contains("reason", silent.Errors.Keys);
        Assert.True((await Keys(k => k.FindAsync(issued.Key.Id, Admin)))!.Enabled);

        await Keys(k => k.SetEnabledAsync(issued.Key.Id, false, Support, reason: "  Posted in a public gist  "));
        var row = await Db(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.Action == AuditActions.KeyDisabled));
        Assert.Equal(("Posted in a public gist", "support-1", AuditOutcomes.Success), (row.Reason, row.ActorId, row.Outcome));

        // Support cannot undo it; an Admin can, without a reason.
        await Assert.ThrowsAsync<AccessDeniedException>(() => Keys(k => k.SetEnabledAsync(issued.Key.Id, true, Support)));
        Assert.NotNull(await Keys(k => k.SetEnabledAsync(issued.Key.Id, true, Admin)));
        Assert.NotNull(await Keys(k => k.SetEnabledAsync(issued.Key.Id, false, Admin)));
    }

    [Fact]
    public async Task Bulk_disable_writes_one_audit_row_per_key_with_the_shared_reason_and_skips_what_is_already_done()
    {
        var keys = new List<IssuedKey>();
        for (var i = 0; i < 5; i++)
        {
            keys.Add(await CreateAsync($"Batch {i}"));
        }
        await Keys(k => k.SetEnabledAsync(keys[0].Key.Id, false, Admin));
        var ids = keys.Select(k => k.Key.Id).Append("no-such-key").ToList();

        var result = await Keys(k => k.DisableManyAsync(ids, "Laptop stolen", Support));

        Assert.Equal(4, result.Changed.Count);
        Assert.Equal(2, result.Skipped);
        Assert.All(await Db(db => db.ApiKeys.AsNoTracking().ToListAsync()), k => Assert.False(k.Enabled));
        var rows = await Db(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == AuditActions.KeyDisabled && e.ActorId == "support-1").ToListAsync());
        Assert.Equal(keys.Skip(1).Select(k => k.Key.Id).Order(), rows.Select(r => r.KeyId!).Order());
        Assert.All(rows, r => Assert.Equal("Laptop stolen", r.Reason));
        await Assert.ThrowsAsync<KeyValidationException>(() => Keys(k => k.DisableManyAsync(ids, "  ", Admin)));
    }

    [Fact]
    public async Task Bulk_delete_is_for_admins_only_and_each_refusal_is_audited()
    {
        var issued = await CreateAsync("Keep me");

        await Assert.ThrowsAsync<AccessDeniedException>(() => Keys(k => k.DeleteManyAsync([issued.Key.Id], "cleanup", Support)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Keys(k => k.DisableManyAsync([issued.Key.Id], "cleanup", Auditor)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Keys(k => k.LookupLeakedAsync(issued.Secret, Auditor)));
        Assert.True((await Keys(k => k.FindAsync(issued.Key.Id, Admin)))!.Enabled);

        var refusals = await Db(db => db.AuditEntries.AsNoTracking().Where(e => e.Outcome == AuditOutcomes.Refused).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(["support-1", "auditor-1", "auditor-1"], refusals.Select(r => r.ActorId));
        Assert.All(refusals, r => Assert.Equal(AuditActions.AccessRefused, r.Action));
        Assert.Contains("keys.bulk_delete", refusals[0].Details);
        Assert.DoesNotContain(issued.Secret, refusals[2].Details);

        var deleted = await Keys(k => k.DeleteManyAsync([issued.Key.Id], "cleanup", Admin));
        Assert.Single(deleted.Changed);
        Assert.Null(await Keys(k => k.FindAsync(issued.Key.Id, Admin)));
    }

    [Fact]
    public async Task A_bulk_disable_racing_single_edits_of_the_same_keys_loses_nothing()
    {
        var keys = new List<IssuedKey>();
        for (var i = 0; i < 20; i++)
        {
            keys.Add(await CreateAsync($"Race {i}"));
        }
        var ids = keys.Select(k => k.Key.Id).ToList();

        var renames = ids.Select((id, i) => Keys(k => k.UpdateAsync(id, new KeyChanges(Name: $"Renamed {i}"), Admin)));
        var bulk = Keys(k => k.DisableManyAsync(ids, "Incident 42", Support));
        await Task.WhenAll([.. renames, bulk]);

        var stored = await Db(db => db.ApiKeys.AsNoTracking().ToListAsync());
        Assert.All(stored, k => Assert.False(k.Enabled));
        Assert.All(stored, k => Assert.StartsWith("Renamed", k.Name));
        Assert.Equal(20, (await bulk).Changed.Count);
    }
}
