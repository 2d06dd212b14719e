using System.Net;
using System.Text.Json;
using KeysDashboard.Audit;
using KeysDashboard.Keys;
using KeysDashboard.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KeysDashboard.Tests.Api;

/// <summary>Each endpoint of /api/v2 as an integrator uses it, in the Vidbeo shapes.</summary>
public sealed class KeysEndpointTests : IAsyncLifetime
{
    private readonly ApiFactory api = new();
    private IssuedKey caller = default!;
    private HttpClient client = default!;

    public async ValueTask InitializeAsync()
    {
        caller = await api.CreateKeyAsync("Integration");
        client = api.Client(caller.Secret);
    }

    public ValueTask DisposeAsync() => api.DisposeAsync();

    [Fact]
    public async Task Create_returns_201_with_the_secret_once_and_the_vidbeo_fields()
    {
        var response = await client.PostAsync("/api/v2/keys", ApiJson.Body("""
            {"type":"api", "name": "Example", "permissions": ["fetch"], "ips": ["1.2.3.4", "10.0.0.0/8"], "expires_time": "2099-01-01T00:00:00Z"}
            """));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var json = await response.ReadAsync();
        Assert.Equal(JsonValueKind.Null, json.GetProperty("links").ValueKind);
        var key = await response.ResultAsync();
        var id = key.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v2/keys/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Example", key.GetProperty("name").GetString());
        Assert.Equal("api", key.GetProperty("type").GetString());
        Assert.Equal(["fetch"], key.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["1.2.3.4", "10.0.0.0/8"], key.GetProperty("ips").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(new DateTime(2099, 1, 1, 0, 0, 0, DateTimeKind.Utc), key.GetProperty("expires_time").GetDateTime().ToUniversalTime());
        Assert.True(key.GetProperty("enabled").GetBoolean());
        Assert.Equal(caller.Key.Id, key.GetProperty("created_by").GetString());
        Assert.Equal(caller.Key.Id, key.GetProperty("updated_by").GetString());
        var secret = key.GetProperty("value").GetString()!;
        Assert.True(KeySecret.IsWellFormed(secret));
        Assert.Equal($"kd_...{secret[^4..]}", key.GetProperty("masked").GetString());

        var fetched = await (await client.GetAsync($"/api/v2/keys/{id}")).ResultAsync();
        Assert.False(fetched.TryGetProperty("value", out _));
        Assert.Equal(HttpStatusCode.OK, (await api.Client(secret, peer: "1.2.3.4").GetAsync("/api/v2/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.Client(secret, peer: "1.2.3.5").GetAsync("/api/v2/me")).StatusCode);
    }

    [Fact]
    public async Task Create_defaults_to_a_read_write_key_for_any_ip()
    {
        var key = await (await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "Minimal" }))).ResultAsync();

        Assert.Empty(key.GetProperty("permissions").EnumerateArray());
        Assert.Empty(key.GetProperty("ips").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, key.GetProperty("expires_time").ValueKind);
    }

    [Fact]
    public async Task Get_returns_one_key_and_404_for_an_unknown_id()
    {
        var found = await (await client.GetAsync($"/api/v2/keys/{caller.Key.Id}")).ResultAsync();
        var missing = await client.GetAsync("/api/v2/keys/0123456789abcdef0123456789abcdef");

        Assert.Equal(caller.Key.Id, found.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(["not_found"], await missing.ErrorCodesAsync());
    }

    [Fact]
    public async Task List_returns_every_key_without_secrets()
    {
        var other = await api.CreateKeyAsync("Other");

        var json = await (await client.GetAsync("/api/v2/keys")).ReadAsync();

        var ids = json.GetProperty("result").EnumerateArray().Select(k => k.GetProperty("id").GetString()).ToList();
        Assert.Equal([caller.Key.Id, other.Key.Id], ids);
        Assert.DoesNotContain("\"value\"", json.ToString());
        Assert.False(json.GetProperty("links").TryGetProperty("next", out _));
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_sent_and_records_the_caller()
    {
        var target = await api.CreateKeyAsync("Before", ips: ["192.0.2.1"]);

        var renamed = await (await client.PatchJsonAsync($"/api/v2/keys/{target.Key.Id}", new { name = "After" })).ResultAsync();
        Assert.Equal("After", renamed.GetProperty("name").GetString());
        Assert.Equal(["192.0.2.1"], renamed.GetProperty("ips").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(caller.Key.Id, renamed.GetProperty("updated_by").GetString());
        Assert.Equal(ApiFactory.Admin.Id, renamed.GetProperty("created_by").GetString());

        var changed = await (await client.PatchJsonAsync($"/api/v2/keys/{target.Key.Id}", new
        {
            permissions = new[] { "fetch" },
            ips = new[] { "2001:db8::/32" },
            enabled = false,
            expires_time = "2099-06-01T12:00:00+02:00",
        })).ResultAsync();
        Assert.Equal(["fetch"], changed.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["2001:db8::/32"], changed.GetProperty("ips").EnumerateArray().Select(i => i.GetString()));
        Assert.False(changed.GetProperty("enabled").GetBoolean());
        Assert.Equal(new DateTime(2099, 6, 1, 10, 0, 0, DateTimeKind.Utc), changed.GetProperty("expires_time").GetDateTime().ToUniversalTime());
        Assert.Equal("After", changed.GetProperty("name").GetString());

        var cleared = await (await client.PatchJsonAsync($"/api/v2/keys/{target.Key.Id}", new { expires_time = (string?)null, permissions = Array.Empty<string>() })).ResultAsync();
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("expires_time").ValueKind);
        Assert.Empty(cleared.GetProperty("permissions").EnumerateArray());
    }

    [Fact]
    public async Task Patch_and_delete_answer_404_for_an_unknown_id()
    {
        var patch = await client.PatchJsonAsync("/api/v2/keys/nope", new { name = "x" });
        var delete = await client.DeleteAsync("/api/v2/keys/nope");
        var regenerate = await client.PostAsync("/api/v2/keys/nope/regenerate", null);

        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, regenerate.StatusCode);
    }

    [Fact]
    public async Task Delete_answers_with_an_empty_result_and_the_key_is_gone()
    {
        var target = await api.CreateKeyAsync("Doomed");

        var response = await client.DeleteAsync($"/api/v2/keys/{target.Key.Id}");

        var result = await response.ResultAsync();
        Assert.Equal(JsonValueKind.Object, result.ValueKind);
        Assert.Empty(result.EnumerateObject());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v2/keys/{target.Key.Id}")).StatusCode);
    }

    [Fact]
    public async Task Regenerate_returns_the_new_secret_once()
    {
        var target = await api.CreateKeyAsync("Rotating");

        var result = await (await client.PostAsync($"/api/v2/keys/{target.Key.Id}/regenerate", ApiJson.Body(new { grace_period_seconds = 0 }))).ResultAsync();

        var secret = result.GetProperty("value").GetString()!;
        Assert.NotEqual(target.Secret, secret);
        Assert.Equal($"kd_...{secret[^4..]}", result.GetProperty("masked").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("previous_value_expires_time").ValueKind);
        Assert.False((await (await client.GetAsync($"/api/v2/keys/{target.Key.Id}")).ResultAsync()).TryGetProperty("value", out _));
    }

    [Fact]
    public async Task Me_describes_the_calling_key()
    {
        var me = await (await client.GetAsync("/api/v2/me")).ResultAsync();

        Assert.Equal(caller.Key.Id, me.GetProperty("id").GetString());
        Assert.Equal("Integration", me.GetProperty("name").GetString());
        Assert.False(me.TryGetProperty("value", out _));
    }

    [Fact]
    public async Task Verify_says_whether_a_key_is_valid_and_why_not()
    {
        var good = await api.CreateKeyAsync("good", ips: ["203.0.113.0/24"]);
        var disabled = await api.CreateKeyAsync("disabled");
        await api.WithKeysAsync(k => k.SetEnabledAsync(disabled.Key.Id, false, ApiFactory.Admin));
        var expired = await api.CreateKeyAsync("expired", expires: DateTime.UtcNow.AddDays(1));
        await api.WithDbAsync(db => db.ApiKeys.Where(k => k.Id == expired.Key.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.ExpiresAt, DateTime.UtcNow.AddMinutes(-1))));

        async Task<JsonElement> Verify(object body) => await (await client.PostAsync("/api/v2/verify", ApiJson.Body(body))).ResultAsync();

        var valid = await Verify(new { key = good.Secret, ip = "203.0.113.5" });
        Assert.True(valid.GetProperty("valid").GetBoolean());
        Assert.Equal("VALID", valid.GetProperty("code").GetString());
        Assert.Equal(good.Key.Id, valid.GetProperty("key").GetProperty("id").GetString());
        Assert.False(valid.GetProperty("key").TryGetProperty("value", out _));

        Assert.Equal("VALID", (await Verify(new { key = good.Secret })).GetProperty("code").GetString());
        Assert.Equal("IP_NOT_ALLOWED", (await Verify(new { key = good.Secret, ip = "198.51.100.1" })).GetProperty("code").GetString());
        Assert.Equal("DISABLED", (await Verify(new { key = disabled.Secret })).GetProperty("code").GetString());
        Assert.Equal("EXPIRED", (await Verify(new { key = expired.Secret })).GetProperty("code").GetString());
        var unknown = await Verify(new { key = KeySecret.Generate("kd_") });
        Assert.False(unknown.GetProperty("valid").GetBoolean());
        Assert.Equal("NOT_FOUND", unknown.GetProperty("code").GetString());
        Assert.False(unknown.TryGetProperty("key", out _));
        Assert.Equal("NOT_FOUND", (await Verify(new { key = "garbage" })).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Changes_through_the_api_are_audited_with_the_calling_key_as_actor()
    {
        var created = await (await client.PostAsync("/api/v2/keys", ApiJson.Body(new { name = "Audited" }))).ResultAsync();
        var id = created.GetProperty("id").GetString()!;
        var secret = created.GetProperty("value").GetString()!;
        await client.PatchJsonAsync($"/api/v2/keys/{id}", new { enabled = false });
        var rotated = await (await client.PostAsync($"/api/v2/keys/{id}/regenerate", null)).ResultAsync();
        await client.DeleteAsync($"/api/v2/keys/{id}");

        var rows = await api.WithDbAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.KeyId == id).OrderBy(e => e.Id).ToListAsync());

        Assert.Equal([AuditActions.KeyCreated, AuditActions.KeyDisabled, AuditActions.KeyRegenerated, AuditActions.KeyDeleted], rows.Select(r => r.Action));
        Assert.All(rows, row =>
        {
            Assert.Equal(caller.Key.Id, row.ActorId);
            Assert.Contains(caller.Key.Masked, row.ActorName);
            Assert.Equal("127.0.0.1", row.ClientIp);
            Assert.DoesNotContain(secret, row.Details);
            Assert.DoesNotContain(rotated.GetProperty("value").GetString()!, row.Details);
        });
    }

    [Fact]
    public async Task Use_of_a_key_shows_as_last_used_within_a_few_seconds()
    {
        var used = await api.CreateKeyAsync("Used");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(used.Secret, peer: "192.0.2.44").GetAsync("/api/v2/me")).StatusCode);

        ApiKey? stored = null;
        for (var attempt = 0; attempt < 50 && stored?.LastUsedAt is null; attempt++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            stored = await api.WithKeysAsync(k => k.FindAsync(used.Key.Id, ApiFactory.Admin));
        }

        Assert.NotNull(stored?.LastUsedAt);
        Assert.Equal("192.0.2.44", stored.LastUsedIp);
    }
}
