using System.Net;
using System.Net.Http.Json;
using KeysDashboard.Access;
using KeysDashboard.Audit;
using KeysDashboard.Data;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KeysDashboard.Tests.Access;

/// <summary>
/// A key that may manage keys tries to hand on, or take, more than it has: a stronger scope, a wider allowlist, a
/// later expiry, a stronger key's secret. Each attempt is refused with beyond_own_bounds, audited as a reach past
/// its own bounds, and changes nothing.
/// </summary>
public sealed class EscalationTests(MatrixApp app) : IClassFixture<MatrixApp>
{
    private ApiFactory Api => app.Api;

    private IDbContextFactory<ApplicationDbContext> Db => Api.Services.GetRequiredService<IDbContextFactory<ApplicationDbContext>>();

    public static TheoryData<string> StrongerScopes() => ["admin", "write keys:manage audit:read", "verify", "admin keys:manage"];

    [Theory]
    [MemberData(nameof(StrongerScopes))]
    public async Task A_write_key_that_manages_keys_cannot_create_a_key_with_a_scope_it_lacks(string asked)
    {
        var scopes = asked.Split(' ');
        var caller = await CreateAsync(["write", "keys:manage"]);

        var response = await Api.Client(caller.Secret).PostAsync("/api/v2/keys", ApiJson.Body(new { name = "stronger", scopes }));

        await AssertEscalationRefusedAsync(response, caller, "keys.create");
        Assert.Equal(0, await CreatedByAsync(caller));
    }

    [Fact]
    public async Task A_write_key_that_manages_keys_may_create_keys_up_to_its_own_scopes()
    {
        var caller = await CreateAsync(["write", "keys:manage"]);
        var client = Api.Client(caller.Secret);

        foreach (var scopes in new[] { new[] { "write", "keys:manage" }, ["read"], ["search", "keys:read"], [] })
        {
            var response = await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "within", scopes }));
            Assert.True(HttpStatusCode.Created == response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        Assert.Empty(await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id));
    }

    [Theory]
    [InlineData(new[] { "10.0.0.0/8" }, true)]
    [InlineData(new[] { "10.1.0.0/16" }, true)]
    [InlineData(new[] { "10.1.2.3" }, true)]
    [InlineData(new[] { "11.0.0.0/8" }, false)]
    [InlineData(new[] { "10.0.0.0/7" }, false)]
    [InlineData(new[] { "10.1.0.0/16", "192.0.2.1" }, false)]
    [InlineData(new string[0], false)]
    public async Task A_key_with_an_allowlist_creates_keys_only_within_it(string[] ips, bool allowed)
    {
        var caller = await CreateAsync(["write", "keys:manage"], ips: ["10.0.0.0/8"]);

        var response = await Api.Client(caller.Secret, peer: "10.1.2.3").PostAsync("/api/v2/keys", ApiJson.Body(new { name = "allowlist", ips }));

        if (allowed)
        {
            Assert.True(HttpStatusCode.Created == response.StatusCode, await response.Content.ReadAsStringAsync());
            Assert.Equal(1, await CreatedByAsync(caller));
        }
        else
        {
            await AssertEscalationRefusedAsync(response, caller, "keys.create");
            Assert.Equal(0, await CreatedByAsync(caller));
        }
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(120, false)]
    [InlineData(61, false)]
    [InlineData(30, true)]
    public async Task A_key_that_expires_creates_keys_that_expire_no_later(int? minutesFromNow, bool allowed)
    {
        var own = DateTime.UtcNow.AddHours(1);
        var caller = await CreateAsync(["write", "keys:manage"], expires: own);
        object body = minutesFromNow is { } minutes
            ? new { name = "expiry", expires_time = DateTime.UtcNow.AddMinutes(minutes).ToString("O") }
            : new { name = "expiry" };

        var response = await Api.Client(caller.Secret).PostAsync("/api/v2/keys", ApiJson.Body(body));

        if (allowed)
        {
            Assert.True(HttpStatusCode.Created == response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        else
        {
            await AssertEscalationRefusedAsync(response, caller, "keys.create");
            Assert.Equal(0, await CreatedByAsync(caller));
        }
    }

    [Fact]
    public async Task A_key_cannot_edit_itself_out_of_its_allowlist()
    {
        var caller = await CreateAsync(["write", "keys:manage"], ips: ["10.0.0.0/8"]);
        var client = Api.Client(caller.Secret, peer: "10.9.9.9");

        foreach (var ips in new[] { Array.Empty<string>(), ["0.0.0.0/0"], ["10.0.0.0/8", "11.0.0.0/8"] })
        {
            var before = await MatrixCell.SnapshotAsync(Db, caller.Key.Id);
            var response = await client.PatchJsonAsync($"/api/v2/keys/{caller.Key.Id}", new { ips });
            await AssertEscalationRefusedAsync(response, caller, "keys.edit", expectedRows: null);
            Assert.Equal(before, await MatrixCell.SnapshotAsync(Db, caller.Key.Id));
        }
        Assert.Equal(3, (await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id)).Count);
    }

    [Fact]
    public async Task A_key_cannot_edit_itself_out_of_its_expiry()
    {
        var caller = await CreateAsync(["write", "keys:manage"], expires: DateTime.UtcNow.AddHours(1));
        var client = Api.Client(caller.Secret);
        var url = $"/api/v2/keys/{caller.Key.Id}";
        var before = await MatrixCell.SnapshotAsync(Db, caller.Key.Id);

        await AssertEscalationRefusedAsync(await client.PatchAsync(url, ApiJson.Body("""{"expires_time": null}""")), caller, "keys.edit", expectedRows: null);
        await AssertEscalationRefusedAsync(await client.PatchJsonAsync(url, new { expires_time = DateTime.UtcNow.AddDays(30).ToString("O") }),
            caller, "keys.edit", expectedRows: null);

        Assert.Equal(before, await MatrixCell.SnapshotAsync(Db, caller.Key.Id));
        Assert.Equal(2, (await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id)).Count);
    }

    public static TheoryData<string, string[]> StrongerTargets()
    {
        var cells = new TheoryData<string, string[]>();
        foreach (var operation in new[] { "edit", "regenerate", "delete", "disable", "scopes" })
        {
            cells.Add(operation, ["admin"]);
            cells.Add(operation, ["audit:read"]);
            cells.Add(operation, ["write", "verify"]);
        }
        return cells;
    }

    [Theory]
    [MemberData(nameof(StrongerTargets))]
    public async Task A_key_cannot_touch_a_key_with_a_scope_it_lacks(string operation, string[] targetScopes)
    {
        var caller = await CreateAsync(["write", "keys:manage"]);
        var target = await CreateAsync(targetScopes);
        var client = Api.Client(caller.Secret);
        var url = $"/api/v2/keys/{target.Key.Id}";
        var before = await MatrixCell.SnapshotAsync(Db, target.Key.Id);

        var (response, permission) = operation switch
        {
            "edit" => (await client.PatchJsonAsync(url, new { name = "taken over" }), "keys.edit"),
            // Narrowing the target's scopes to ones the caller holds would launder it into a key the caller may then regenerate.
            "scopes" => (await client.PatchJsonAsync(url, new { scopes = new[] { "read" } }), "keys.edit"),
            "regenerate" => (await client.PostAsync($"{url}/regenerate", ApiJson.Body(new { grace_period_seconds = 3600 })), "keys.regenerate"),
            "delete" => (await client.DeleteAsync(url), "keys.delete"),
            "disable" => (await client.PatchJsonAsync(url, new { enabled = false }), "keys.disable"),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        };

        await AssertEscalationRefusedAsync(response, caller, permission);
        Assert.Equal(before, await MatrixCell.SnapshotAsync(Db, target.Key.Id));
        Assert.DoesNotContain(target.Secret, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_key_with_an_allowlist_cannot_regenerate_a_key_open_to_any_address()
    {
        var caller = await CreateAsync(["write", "keys:manage"], ips: ["10.0.0.0/8"]);
        var target = await CreateAsync(["write"]);
        var before = await MatrixCell.SnapshotAsync(Db, target.Key.Id);

        var response = await Api.Client(caller.Secret, peer: "10.0.0.1").PostAsync($"/api/v2/keys/{target.Key.Id}/regenerate", null);

        await AssertEscalationRefusedAsync(response, caller, "keys.regenerate");
        Assert.Equal(before, await MatrixCell.SnapshotAsync(Db, target.Key.Id));
    }

    [Fact]
    public async Task Vidbeo_permissions_empty_gives_management_but_never_a_higher_level()
    {
        // [] means read/write management. For a read-level caller it must not hand on write, nor fail for lack of it.
        var caller = await CreateAsync(["read", "keys:manage"]);
        var target = await CreateAsync(["read", "keys:read"]);
        var client = Api.Client(caller.Secret);

        using var patched = await client.PatchJsonAsync($"/api/v2/keys/{target.Key.Id}", new { permissions = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        using var created = await client.PostAsJsonAsync("/api/v2/keys", new { name = "like me", permissions = Array.Empty<string>() }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var stored = await Db.CreateDbContextAsync(TestContext.Current.CancellationToken);
        await using (stored)
        {
            Assert.Equal(["read", "keys:manage"], (await stored.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == target.Key.Id, TestContext.Current.CancellationToken)).Scopes);
            Assert.Equal(["read", "keys:manage"], (await stored.ApiKeys.AsNoTracking().SingleAsync(k => k.Name == "like me", TestContext.Current.CancellationToken)).Scopes);
        }
        Assert.Empty(await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id));
    }

    [Fact]
    public async Task A_read_only_key_cannot_give_itself_keys_manage_with_permissions_empty()
    {
        var caller = await CreateAsync(["write", "keys:read"]);
        var before = await MatrixCell.SnapshotAsync(Db, caller.Key.Id);

        var response = await Api.Client(caller.Secret).PatchJsonAsync($"/api/v2/keys/{caller.Key.Id}", new { permissions = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(["read_only_key"], await response.ErrorCodesAsync());
        Assert.Equal(before, await MatrixCell.SnapshotAsync(Db, caller.Key.Id));
        var row = Assert.Single(await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id));
        MatrixCell.AssertRefusalRow(row, Actor.Key(caller.Key, null), "keys.edit");
    }

    [Fact]
    public async Task Twenty_parallel_escalation_attempts_are_all_refused_and_each_audited()
    {
        var caller = await CreateAsync(["write", "keys:manage"], ips: ["10.0.0.0/8"], expires: DateTime.UtcNow.AddHours(1));
        var stronger = await CreateAsync(["admin", "keys:manage"]);
        var before = await MatrixCell.SnapshotAsync(Db, caller.Key.Id, stronger.Key.Id);
        var keysBefore = await Api.WithDbAsync(db => db.ApiKeys.CountAsync());

        var attempts = Enumerable.Range(0, 20).Select(i =>
        {
            var client = Api.Client(caller.Secret, peer: $"10.0.0.{i + 1}");
            return (i % 5) switch
            {
                0 => client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = $"admin {i}", scopes = new[] { "admin" } })),
                1 => client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = $"open {i}", ips = Array.Empty<string>() })),
                2 => client.PatchAsync($"/api/v2/keys/{caller.Key.Id}", ApiJson.Body("""{"expires_time": null}""")),
                3 => client.PostAsync($"/api/v2/keys/{stronger.Key.Id}/regenerate", null),
                _ => client.DeleteAsync($"/api/v2/keys/{stronger.Key.Id}"),
            };
        });
        var responses = await Task.WhenAll(attempts);

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(["beyond_own_bounds"], await response.ErrorCodesAsync());
        }
        Assert.Equal(before, await MatrixCell.SnapshotAsync(Db, caller.Key.Id, stronger.Key.Id));
        Assert.Equal(keysBefore, await Api.WithDbAsync(db => db.ApiKeys.CountAsync()));
        var rows = await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id);
        Assert.Equal(20, rows.Count);
        Assert.All(rows, r => Assert.Contains("\"rule\":\"own_bounds\"", r.Details));
        Assert.Equal(20, rows.Select(r => r.RequestId).Distinct().Count());
    }

    [Fact]
    public async Task A_person_with_every_permission_is_not_bounded_like_a_key()
    {
        // People are bounded by their role only: the owner may make an unrestricted admin key.
        var issued = await Api.WithKeysAsync(keys =>
            keys.CreateAsync(new KeyDraft("owner's", false, [], null, ["admin", "keys:manage", "audit:read"]), ApiFactory.Admin));

        Assert.Equal(["admin", "keys:manage", "audit:read"], issued.Key.Scopes);
    }

    private async Task AssertEscalationRefusedAsync(HttpResponseMessage response, IssuedKey caller, string permission, int? expectedRows = 1)
    {
        Assert.True(HttpStatusCode.Forbidden == response.StatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(["beyond_own_bounds"], await response.ErrorCodesAsync());
        var rows = await MatrixCell.RefusalRowsAsync(Db, caller.Key.Id);
        if (expectedRows is { } expected)
        {
            Assert.Equal(expected, rows.Count);
        }
        var row = rows[^1];
        MatrixCell.AssertRefusalRow(row, Actor.Key(caller.Key, null), permission);
        Assert.Contains("\"rule\":\"own_bounds\"", row.Details);
        Assert.Equal(AuditActions.AccessRefused, row.Action);
    }

    private Task<int> CreatedByAsync(IssuedKey caller) =>
        Api.WithDbAsync(db => db.ApiKeys.CountAsync(k => k.CreatedBy == caller.Key.Id));

    private Task<IssuedKey> CreateAsync(IReadOnlyList<string> scopes, string[]? ips = null, DateTime? expires = null) =>
        Api.WithKeysAsync(keys => keys.CreateAsync(new KeyDraft($"k {Guid.NewGuid():N}", false, ips ?? [], expires, scopes), ApiFactory.Admin));
}
