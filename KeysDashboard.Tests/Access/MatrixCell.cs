using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Access;

/// <summary>One app shared by a class's cells: each cell makes its own keys and actor, so cells do not see each other.</summary>
public sealed class MatrixApp : IAsyncLifetime
{
    internal ApiFactory Api { get; } = new();

    public async ValueTask InitializeAsync() =>
        // Start the app (and migrate its database) once, before the first cell.
        await Api.WithDbAsync(db => db.ApiKeys.CountAsync());

    public ValueTask DisposeAsync() => Api.DisposeAsync();
}

/// <summary>
/// One cell of the matrix at the service door: an actor tries one operation on keys made for it, and either it
/// happens (with its effect checked in the database) or it is refused with <see cref="AccessDeniedException"/>,
/// nothing changes, and an access.refused row names the actor and the permission.
/// </summary>
internal static class MatrixCell
{
    public const string Reason = "matrix: leaked in a ticket";

    public static async Task RunAsync(IServiceProvider services, Actor actor, KeyOperation operation, bool allowed,
        IReadOnlyList<string> targetScopes, Actor creator)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();
        var keys = services.GetRequiredService<KeyService>();
        var list = services.GetRequiredService<KeyList>();
        var tag = Guid.NewGuid().ToString("N")[..10];
        var first = await keys.CreateAsync(new KeyDraft($"target {tag} a", false, [], null, targetScopes), creator);
        var second = await keys.CreateAsync(new KeyDraft($"target {tag} b", false, [], null, targetScopes), creator);
        if (operation == KeyOperation.Enable)
        {
            await keys.SetEnabledAsync(first.Key.Id, false, creator, reason: "set up");
        }
        var before = await SnapshotAsync(dbFactory, first.Key.Id, second.Key.Id);
        var refusedBefore = await RefusalsAsync(dbFactory, actor.Id);
        var createdName = $"created {tag}";

        Func<Task> act = operation switch
        {
            KeyOperation.List => async () =>
            {
                var page = await list.QueryAsync(new KeyListQuery(PageSize: 100), actor);
                Assert.Contains(page.Items, k => k.Id == first.Key.Id);
            },
            KeyOperation.Get => async () => Assert.Equal(first.Key.Id, (await keys.FindAsync(first.Key.Id, actor))?.Id),
            KeyOperation.Create => async () =>
            {
                var issued = await keys.CreateAsync(new KeyDraft(createdName, false, [], null, targetScopes), actor);
                Assert.Equal(createdName, (await SnapshotAsync(dbFactory, issued.Key.Id))[issued.Key.Id]!.Name);
            },
            KeyOperation.Edit => async () =>
            {
                await keys.UpdateAsync(first.Key.Id, new KeyChanges(Name: $"renamed {tag}"), actor);
                Assert.Equal($"renamed {tag}", (await SnapshotAsync(dbFactory, first.Key.Id))[first.Key.Id]!.Name);
            },
            KeyOperation.Enable => async () =>
            {
                await keys.SetEnabledAsync(first.Key.Id, true, actor);
                Assert.True((await SnapshotAsync(dbFactory, first.Key.Id))[first.Key.Id]!.Enabled);
            },
            KeyOperation.Disable => async () =>
            {
                await keys.SetEnabledAsync(first.Key.Id, false, actor, reason: Reason);
                Assert.False((await SnapshotAsync(dbFactory, first.Key.Id))[first.Key.Id]!.Enabled);
                await AssertAuditedAsync(dbFactory, actor, AuditActions.KeyDisabled, first.Key.Id, Reason);
            },
            KeyOperation.Regenerate => async () =>
            {
                var issued = await keys.RegenerateAsync(first.Key.Id, TimeSpan.Zero, actor);
                Assert.NotNull(issued);
                Assert.NotEqual(before[first.Key.Id]!.KeyHash, (await SnapshotAsync(dbFactory, first.Key.Id))[first.Key.Id]!.KeyHash);
            },
            KeyOperation.Delete => async () =>
            {
                Assert.True(await keys.DeleteAsync(first.Key.Id, actor));
                Assert.Null((await SnapshotAsync(dbFactory, first.Key.Id))[first.Key.Id]);
            },
            KeyOperation.Verify => async () =>
                Assert.Equal(KeyVerificationCode.Valid, (await keys.CheckAsync(first.Secret, null, actor)).Code),
            KeyOperation.LookupLeaked => async () =>
            {
                var found = await keys.LookupLeakedAsync(first.Secret, actor);
                Assert.Equal(LeakLookupOutcome.Found, found.Outcome);
                Assert.Equal(first.Key.Id, found.Key?.Id);
            },
            KeyOperation.BulkDisable => async () =>
            {
                var result = await keys.DisableManyAsync([first.Key.Id, second.Key.Id], Reason, actor);
                Assert.Equal(2, result.Changed.Count);
                Assert.All((await SnapshotAsync(dbFactory, first.Key.Id, second.Key.Id)).Values, k => Assert.False(k!.Enabled));
                await AssertAuditedAsync(dbFactory, actor, AuditActions.KeyDisabled, second.Key.Id, Reason);
            },
            KeyOperation.BulkDelete => async () =>
            {
                var result = await keys.DeleteManyAsync([first.Key.Id, second.Key.Id], Reason, actor);
                Assert.Equal(2, result.Changed.Count);
                Assert.All((await SnapshotAsync(dbFactory, first.Key.Id, second.Key.Id)).Values, Assert.Null);
            },
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        if (allowed)
        {
            await act();
            Assert.Equal(refusedBefore.Count, (await RefusalsAsync(dbFactory, actor.Id)).Count);
            return;
        }

        var denied = await Assert.ThrowsAsync<AccessDeniedException>(act);
        Assert.False(denied.Beyond, "A missing permission is refused as such, not as a reach past the caller's bounds.");
        Assert.Equal(before, await SnapshotAsync(dbFactory, first.Key.Id, second.Key.Id));
        if (operation == KeyOperation.Create)
        {
            Assert.Equal(0, await CountAsync(dbFactory, db => db.ApiKeys.CountAsync(k => k.Name == createdName)));
        }
        var refused = (await RefusalRowsAsync(dbFactory, actor.Id)).Where(r => !refusedBefore.Contains(r.Id)).ToList();
        var row = Assert.Single(refused);
        AssertRefusalRow(row, actor, ExpectedAccess.PermissionName(operation));
    }

    /// <summary>An access.refused row as the issue asks: outcome refused, the actor, the permission, no secret.</summary>
    public static void AssertRefusalRow(AuditEntry row, Actor actor, string permission)
    {
        Assert.Equal(AuditActions.AccessRefused, row.Action);
        Assert.Equal(AuditOutcomes.Refused, row.Outcome);
        Assert.Equal(actor.Id, row.ActorId);
        Assert.Equal(actor.Kind switch { ActorKind.CommandLine => "cli", var k => k.ToString().ToLowerInvariant() }, row.ActorKind);
        Assert.Contains($"\"permission\":\"{permission}\"", row.Details);
    }

    public static async Task AssertAuditedAsync(IDbContextFactory<ApplicationDbContext> dbFactory, Actor actor, string action, string keyId, string? reason)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var rows = await db.AuditEntries.AsNoTracking()
            .Where(a => a.ActorId == actor.Id && a.Action == action && a.KeyId == keyId && a.Outcome == AuditOutcomes.Success).ToListAsync();
        var row = Assert.Single(rows);
        Assert.Equal(reason, row.Reason);
    }

    /// <summary>The actor's refused rows, as ids (oldest first).</summary>
    public static async Task<List<long>> RefusalsAsync(IDbContextFactory<ApplicationDbContext> dbFactory, string actorId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking()
            .Where(a => a.ActorId == actorId && a.Outcome == AuditOutcomes.Refused)
            .OrderBy(a => a.Id).Select(a => a.Id).ToListAsync();
    }

    public static async Task<List<AuditEntry>> RefusalRowsAsync(IDbContextFactory<ApplicationDbContext> dbFactory, string actorId)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.AuditEntries.AsNoTracking()
            .Where(a => a.ActorId == actorId && a.Outcome == AuditOutcomes.Refused)
            .OrderBy(a => a.Id).ToListAsync();
    }

    private static async Task<T> CountAsync<T>(IDbContextFactory<ApplicationDbContext> dbFactory, Func<ApplicationDbContext, Task<T>> query)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await query(db);
    }

    /// <summary>What a refusal must leave alone: each key's settings and secret hash, or null for a key that is gone.</summary>
    public static async Task<Dictionary<string, KeyState?>> SnapshotAsync(IDbContextFactory<ApplicationDbContext> dbFactory, params string[] ids)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var found = await db.ApiKeys.AsNoTracking().Where(k => ids.Contains(k.Id)).ToListAsync();
        return ids.ToDictionary(id => id, id => found.FirstOrDefault(k => k.Id == id) is { } k ? KeyState.Of(k) : null);
    }
}

/// <summary>A key's state, compared whole: any change by a refused request shows as a difference.</summary>
internal sealed record KeyState(string Name, bool Enabled, string Scopes, string Ips, DateTime? ExpiresAt, string KeyHash, int Version)
{
    public static KeyState Of(ApiKey key) =>
        new(key.Name, key.Enabled, string.Join(" ", key.Scopes), string.Join(" ", key.Ips), key.ExpiresAt, key.KeyHash, key.Version);
}
